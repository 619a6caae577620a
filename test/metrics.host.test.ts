import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COLLECT_TIMEOUT_MS } from '@duban/runtime';
import { startHostProcess } from '@duban/testing';
import type { HostProcess } from '@duban/testing';
import { scrape, valueOf } from './metricsScrape';

/** `pnpm start`'s own process (services/host in a child, 113 nodes, embedded PostgreSQL) serves /metrics. */
describe('/metrics of the embedded default host process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'duban-metrics-host-'));
  chmodSync(dataDir, 0o755); // the embedded server runs as the postgres user when we are root
  let host: HostProcess | undefined;
  afterAll(async () => {
    host?.child.kill('SIGKILL');
    await host?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a scrape over HTTP with every family, within the collectors’ deadline', async () => {
    host = await startHostProcess(dataDir);
    expect((await fetch(`${host.url}/healthz`)).status).toBe(200);
    // The first scrape of a fresh process is the slowest (1.3 s here, 0.16 s the next): whatever a
    // collector takes, the scrape answers within the deadline.
    const started = Date.now();
    await scrape(`${host.url}/metrics`);
    expect(Date.now() - started).toBeLessThan(COLLECT_TIMEOUT_MS + 1500);
    await new Promise((r) => setTimeout(r, 1600)); // past the collectors' cache
    const m = await scrape(`${host.url}/metrics`);
    expect(
      valueOf(m, 'duban_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/healthz',
        status_class: '2xx',
      }),
    ).toBe(1);
    expect(
      valueOf(m, 'duban_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/metrics',
        status_class: '2xx',
      }),
    ).toBe(1);
    // One group per consumer of the 113-node host (groups named after the hosted set's hash).
    const groups = new Set(m.get('duban_consumer_lag')!.metrics.map((s) => s.labels.group!.split('@')[0]));
    expect([...groups].sort()).toEqual([
      'analytics',
      'calendar',
      'keys',
      'notifications',
      'reminders',
      'scoring',
      'tasks',
      'tasks-calendar',
      'tasks-org',
    ]);
    expect(
      m
        .get('duban_consumer_lag')!
        .metrics.every((s) => /^hosts-[0-9a-f]{12}$/.test(s.labels.group!.split('@')[1]!)),
    ).toBe(true);
    expect(valueOf(m, 'duban_outbox_pending', {})).toBe(0);
    expect(valueOf(m, 'duban_timers_pending', {})).toBe(0);
  }, 180_000);
});
