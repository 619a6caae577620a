import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from './errors';
import { createHttpApp } from './http';
import { createLogger } from './logger';

async function app() {
  const a = await createHttpApp({
    logger: createLogger({ level: 'silent' }),
    title: 'test',
    accessControl: { principalOf: async () => null, isAncestor: () => false },
  });
  a.post(
    '/things',
    { schema: { body: z.object({ name: z.string().min(2), count: z.number().int() }) } },
    async () => ({
      ok: true,
    }),
  );
  a.get('/conflict', async () => {
    throw new AppError('conflict', 'thing.busy', 'the thing is busy');
  });
  a.get('/boom', async () => {
    throw new Error('password=hunter2 leaked in a stack');
  });
  return a;
}

describe('the one error mapping', () => {
  it('answers invalid input with 400, a machine-readable code and each field', async () => {
    const res = await (
      await app()
    ).inject({ method: 'POST', url: '/things', payload: { name: 'x', count: 1.5 } });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: { code: string; issues: Array<{ path: string }> } };
    expect(body.error.code).toBe('request.invalid');
    expect(body.error.issues.map((i) => i.path).sort()).toEqual(['body.count', 'body.name']);
  });

  it('maps AppError kinds to their status', async () => {
    const res = await (await app()).inject({ method: 'GET', url: '/conflict' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: { code: 'thing.busy', message: 'the thing is busy' } });
  });

  it('hides internals in 5xx bodies', async () => {
    const res = await (await app()).inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
    expect(res.json()).toEqual({
      error: { code: 'internal', message: 'internal error; it has been logged' },
    });
  });

  it('answers malformed JSON with a 400, not a 500', async () => {
    const res = await (
      await app()
    ).inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(400);
    expect((res.json() as { error: { code: string } }).error.code).toMatch(/^request\./);
  });

  it('serves health and OpenAPI', async () => {
    const a = await app();
    expect((await a.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await a.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const spec = (await a.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(spec.paths)).toContain('/things');
  });
});
