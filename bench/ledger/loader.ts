/**
 * The load generator, run in its own process (`node --import tsx bench/ledger/loader.ts <json>`)
 * so that autocannon does not share the servers' event loop. Warms up, then measures; prints one
 * line of JSON (LoadResult) on stdout.
 */
import http from 'node:http';
import autocannon from 'autocannon';

export interface LoadPlan {
  base: string;
  headers?: Record<string, string>;
  /** The paths each connection cycles through; the filtered ones rotate over `rotating`. */
  first: string;
  rotating: string[];
  deep: string;
  connections: number;
  durationSec: number;
  warmupSec: number;
  /**
   * Open loop: requests/s on a fixed schedule, whatever the answers take (else: closed loop, each
   * connection sends its next request when the last one is answered).
   */
  rate?: number;
}

export interface LoadResult {
  rps: number;
  rpsStddev: number;
  requests: number;
  latency: { mean: number; p50: number; p90: number; p99: number; max: number };
  bytesPerSec: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  durationSec: number;
}

function requests(plan: LoadPlan): autocannon.Request[] {
  let next = 0;
  return [
    { method: 'GET', path: plan.first },
    {
      method: 'GET',
      setupRequest: (request) => ({ ...request, path: plan.rotating[next++ % plan.rotating.length]! }),
    },
    { method: 'GET', path: plan.deep },
  ];
}

async function run(plan: LoadPlan): Promise<LoadResult> {
  const options = {
    url: plan.base,
    connections: plan.connections,
    pipelining: 1,
    timeout: 10,
    ...(plan.headers ? { headers: plan.headers } : {}),
  };
  if (plan.warmupSec > 0)
    await autocannon({ ...options, duration: plan.warmupSec, requests: requests(plan) });
  const r = await autocannon({ ...options, duration: plan.durationSec, requests: requests(plan) });
  return {
    rps: r.requests.average,
    rpsStddev: r.requests.stddev,
    requests: r.requests.total,
    latency: {
      mean: r.latency.average,
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      max: r.latency.max,
    },
    bytesPerSec: r.throughput.average,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    durationSec: r.duration,
  };
}

function percentile(sorted: number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * An open-loop load at a fixed rate, timed like wrk2: each request has its slot on a uniform
 * schedule and its latency counts from that slot, so a slow answer delays (and is charged to) the
 * requests queued behind it instead of quietly lowering the load. autocannon's overallRate is no
 * such load: each connection sends its share back to back at the start of every second, so 50
 * connections arrive together and the latency measured is that of 50 concurrent requests.
 */
async function runOpenLoop(plan: LoadPlan & { rate: number }, seconds: number): Promise<LoadResult> {
  const base = new URL(plan.base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.connections });
  const total = Math.round(plan.rate * seconds);
  const interval = 1000 / plan.rate;
  const latencies: number[] = [];
  let bytes = 0;
  let errors = 0;
  let non2xx = 0;
  let timeouts = 0;
  const send = (path: string, slot: number) =>
    new Promise<void>((done) => {
      const request = http.get(
        { host: base.hostname, port: base.port, path, agent, headers: plan.headers ?? {}, timeout: 10_000 },
        (response) => {
          response.on('data', (chunk: Buffer) => (bytes += chunk.length));
          response.on('end', () => {
            latencies.push(performance.now() - slot);
            if ((response.statusCode ?? 0) >= 300) non2xx++;
            done();
          });
        },
      );
      request.on('timeout', () => {
        timeouts++;
        request.destroy();
      });
      request.on('error', () => {
        errors++;
        done();
      });
    });
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const slot = started + i * interval;
    const wait = slot - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // The three kinds in the closed loop's proportions: first, filtered (rotating), deep.
    const kind = i % 3;
    const path =
      kind === 0
        ? plan.first
        : kind === 2
          ? plan.deep
          : plan.rotating[Math.floor(i / 3) % plan.rotating.length]!;
    inFlight.push(send(path, slot));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return {
    rps: sorted.length / elapsed,
    rpsStddev: 0,
    requests: sorted.length,
    latency: {
      mean,
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1) ?? 0,
    },
    bytesPerSec: bytes / elapsed,
    errors,
    timeouts,
    non2xx,
    durationSec: elapsed,
  };
}

async function load(plan: LoadPlan): Promise<LoadResult> {
  if (plan.rate === undefined) return run(plan);
  const open = { ...plan, rate: plan.rate };
  if (plan.warmupSec > 0) await runOpenLoop(open, plan.warmupSec);
  return runOpenLoop(open, plan.durationSec);
}

const arg = process.argv[2];
if (!arg) throw new Error('usage: loader.ts <plan as JSON>');
const plan = JSON.parse(arg) as LoadPlan;
if (new URL(plan.base).hostname !== '127.0.0.1') throw new Error(`loader: ${plan.base} is not on 127.0.0.1`);
process.stdout.write(`${JSON.stringify(await load(plan))}\n`);
