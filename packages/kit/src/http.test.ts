import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from './errors';
import { createHttpApp } from './http';
import { createLogger } from './logger';

async function app() {
  const a = await createHttpApp({
    logger: createLogger({ level: 'silent' }),
    title: 'test',
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

describe('HTTP hardening', () => {
  const CONSOLE = 'https://console.duban.example';
  async function hardened() {
    const a = await createHttpApp({
      logger: createLogger({ level: 'silent' }),
      title: 'test',
      bodyLimit: 1024,
      corsOrigins: [CONSOLE],
    });
    a.post('/echo', async (request) => ({ size: JSON.stringify(request.body).length }));
    a.get('/thing', async () => ({ ok: true }));
    return a;
  }

  it('sends security headers on API responses and on the docs', async () => {
    const a = await hardened();
    for (const url of ['/thing', '/docs', '/docs/static/swagger-initializer.js']) {
      const res = await a.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('refuses a body over the limit with 413 and a code', async () => {
    const a = await hardened();
    const ok = await a.inject({ method: 'POST', url: '/echo', payload: { text: 'x'.repeat(500) } });
    expect(ok.statusCode).toBe(200);
    const big = await a.inject({ method: 'POST', url: '/echo', payload: { text: 'x'.repeat(2000) } });
    expect(big.statusCode).toBe(413);
    expect((big.json() as { error: { code: string } }).error.code).toBe('request.too_large');
  });

  it('allows cross-origin calls from the console only', async () => {
    const a = await hardened();
    const fromConsole = await a.inject({ method: 'GET', url: '/thing', headers: { origin: CONSOLE } });
    expect(fromConsole.headers['access-control-allow-origin']).toBe(CONSOLE);
    const preflight = await a.inject({
      method: 'OPTIONS',
      url: '/thing',
      headers: {
        origin: CONSOLE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('authorization');
    const elsewhere = await a.inject({
      method: 'GET',
      url: '/thing',
      headers: { origin: 'https://evil.example' },
    });
    expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();
    const noConsole = await app();
    const res = await noConsole.inject({ method: 'GET', url: '/healthz', headers: { origin: CONSOLE } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
