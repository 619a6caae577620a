/**
 * The load generator, run in its own process (`node --import tsx bench/ledger/loader.ts <json>`)
 * so that autocannon does not share the servers' event loop. Warms up, then measures; prints one
 * line of JSON (LoadResult) on stdout.
 */
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

const arg = process.argv[2];
if (!arg) throw new Error('usage: loader.ts <plan as JSON>');
const plan = JSON.parse(arg) as LoadPlan;
if (new URL(plan.base).hostname !== '127.0.0.1') throw new Error(`loader: ${plan.base} is not on 127.0.0.1`);
process.stdout.write(`${JSON.stringify(await run(plan))}\n`);
