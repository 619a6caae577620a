import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@duban/auth';
import type { RunningNode } from '@duban/runtime';
import { startSingleHost } from '../singleHost';
import type { SingleHost } from '../singleHost';

describe('the live inbox stream (server-sent events) the console reads', () => {
  let single: SingleHost;
  let host: RunningNode | undefined;
  let url: string;

  beforeAll(async () => {
    single = await startSingleHost('inbox_stream', ['county', 'unit-001'], {
      env: { DUBAN_DEMO_ACCOUNTS: 'on' },
    });
    host = single.host;
    url = await host.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => single?.close());

  const bearer = async (login: string) => {
    const r = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password: DEMO_PASSWORD }),
    });
    return { authorization: `Bearer ${((await r.json()) as { accessToken: string }).accessToken}` };
  };

  it('sends the unread count, then a new one when a notice arrives, and ends when the process closes', async () => {
    const handler = await bearer('handler');
    expect((await fetch(`${url}/nodes/unit-001/notifications/inbox/stream`)).status).toBe(401);

    const response = await fetch(`${url}/nodes/unit-001/notifications/inbox/stream?interval=200`, {
      headers: handler,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const nextEvent = async (): Promise<{ unread: number; newest: { title: string } | null }> => {
      for (;;) {
        const cut = buffer.indexOf('\n\n');
        if (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (block.includes('event: inbox') && data) return JSON.parse(data.slice(6));
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += value;
      }
    };
    expect(await nextEvent()).toEqual({ unread: 0, newest: null });

    const office = await bearer('office');
    const assigned = await fetch(`${url}/nodes/county/tasks/items`, {
      method: 'POST',
      headers: { ...office, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: '推进老旧小区改造',
        kind: 'project',
        assignee: 'unit-001',
        deadlineRule: { kind: 'working-days', days: 10 },
      }),
    });
    expect(assigned.status).toBe(201);
    const event = await nextEvent();
    expect(event.unread).toBe(1);
    expect(event.newest?.title).toContain('推进老旧小区改造');

    // Closing the process ends the open stream instead of waiting for the client.
    const closing = host!.close();
    host = undefined;
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    await closing;
  });
});
