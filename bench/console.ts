/**
 * The console's first screen (issue: the web console): the demo county host as `pnpm start` runs
 * it (113 nodes, embedded PostgreSQL and log, on a fresh data folder), some items in the county's
 * ledger, then Debian's headless chromium loading the console. Goal: the first screen in < 1 s.
 *
 *   pnpm bench:console            (also part of `pnpm bench`)
 *
 *   BENCH_CONSOLE_RUNS=15         page loads per scenario (median and worst reported)
 *   BENCH_CONSOLE_ITEMS=300       items assigned by the county office before measuring
 *   BENCH_CONSOLE_DOC=0           do not write docs/benchmarks.md
 *   CHROMIUM_PATH                 the browser (default: /usr/bin/chromium or `chromium` on the PATH)
 *
 * Scenarios, each from navigation start, in a fresh browser context (empty HTTP cache) unless warm:
 * - sign-in screen, cold: the login form rendered;
 * - ledger after sign-in, cold cache: a signed-in tab (refresh token in sessionStorage) opens
 *   /console/: session resumed, /auth/me, the first ledger page rendered (table rows);
 * - ledger after sign-in, warm: the same tab reloaded (vendor files cached).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../packages/auth/src/demo';
import { startHostProcess } from '../packages/testing/src/hostProcess.ts';
import type { HostProcess } from '../packages/testing/src/hostProcess.ts';
import { chromiumPath, launchChromium } from '../test/console/browser';
import { describeMachine } from './machine';
import { RESULTS_MARKER } from './report';
import { backgroundBusy, positiveInt } from './stats';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOC = join(ROOT, 'docs/benchmarks.md');
const START = '<!-- bench:console:start -->';
const END = '<!-- bench:console:end -->';
const GOAL_MS = 1000;

interface Metrics {
  domContentLoaded: number;
  firstContentfulPaint: number;
  rendered: number;
}

interface Scenario {
  name: string;
  runs: Metrics[];
}

async function signIn(url: string, login: string): Promise<{ accessToken: string; refreshToken: string }> {
  const r = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: DEMO_PASSWORD }),
  });
  if (!r.ok) throw new Error(`sign-in failed: ${r.status} ${await r.text()}`);
  return (await r.json()) as { accessToken: string; refreshToken: string };
}

async function seed(url: string, count: number): Promise<void> {
  const { accessToken } = await signIn(url, 'office');
  const nodes = (
    (await (await fetch(`${url}/nodes`, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as {
      nodes: Array<{ id: string; parentId: string }>;
    }
  ).nodes.filter((n) => n.parentId === 'county');
  const kinds = ['annual-target', 'project', 'major-event', 'petition', 'conduct', 'leader-instruction'];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const r = await fetch(`${url}/nodes/county/tasks/items`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          title: `基准事项 ${i + 1}：推进重点工作落实`,
          kind: kinds[i % kinds.length],
          assignee: nodes[i % nodes.length]!.id,
          deadlineRule: { kind: 'working-days', days: 5 + (i % 20) },
        }),
      });
      if (r.status !== 201 && r.status !== 200)
        throw new Error(`assign failed: ${r.status} ${await r.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Times from navigation start, read from the page's own performance entries. */
async function measure(page: Page, rendered: string): Promise<Metrics> {
  await page.waitForSelector(rendered, { timeout: 30_000 });
  // Evaluated in the page (a string: this file is typed for Node, not the DOM).
  const at = await page.evaluate<number>('performance.now()');
  const nav = await page.evaluate<{ dcl: number; fcp: number | null }>(`(() => {
    const n = performance.getEntriesByType('navigation')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return { dcl: n.domContentLoadedEventEnd, fcp: fcp ? fcp.startTime : null };
  })()`);
  return { domContentLoaded: nav.dcl, firstContentfulPaint: nav.fcp ?? Number.NaN, rendered: at };
}

async function run(browser: Browser, url: string, runs: number): Promise<Scenario[]> {
  const signInScreen: Scenario = { name: 'sign-in screen, cold', runs: [] };
  const ledgerCold: Scenario = { name: 'ledger after sign-in, cold cache', runs: [] };
  const ledgerWarm: Scenario = { name: 'ledger after sign-in, warm (reload)', runs: [] };
  const LEDGER = 'table.items tbody tr';
  for (let i = 0; i < runs; i++) {
    {
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${url}/console/`);
      signInScreen.runs.push(await measure(page, 'form input[name=login]'));
      await context.close();
    }
    {
      const { refreshToken } = await signIn(url, 'office');
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
      await context.addInitScript(
        `if (!sessionStorage.getItem('duban.refresh')) sessionStorage.setItem('duban.refresh', ${JSON.stringify(refreshToken)});`,
      );
      const page = await context.newPage();
      await page.goto(`${url}/console/`);
      ledgerCold.runs.push(await measure(page, LEDGER));
      await page.reload();
      ledgerWarm.runs.push(await measure(page, LEDGER));
      await context.close();
    }
  }
  return [signInScreen, ledgerCold, ledgerWarm];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (n: number) => (Number.isFinite(n) ? `${Math.round(n)}` : '–');

function section(
  scenarios: Scenario[],
  meta: { runs: number; items: number; machine: string; browser: string },
) {
  const rows = scenarios.map((s) => {
    const col = (k: keyof Metrics) =>
      `${fmt(median(s.runs.map((r) => r[k])))} / ${fmt(Math.max(...s.runs.map((r) => r[k])))}`;
    const ok = median(s.runs.map((r) => r.rendered)) < GOAL_MS ? 'yes' : '**no**';
    return `| ${s.name} | ${col('domContentLoaded')} | ${col('firstContentfulPaint')} | ${col('rendered')} | ${ok} |`;
  });
  return [
    '## The console’s first screen (`bench/console.ts`)',
    '',
    '<!-- Generated by `pnpm bench:console`: everything between the bench:console markers is replaced on each run. -->',
    '',
    `The demo county host as \`pnpm start\` runs it (113 nodes, embedded PostgreSQL and log, fresh data folder),`,
    `${meta.items} items assigned by the county office to its units, then headless ${meta.browser} loading`,
    `\`/console/\` ${meta.runs} times per scenario on a 1366×900 viewport. Milliseconds from navigation start,`,
    'median / worst. “Rendered”: the login form, or the first ledger page’s rows (session resumed from the',
    'tab’s refresh token, `/auth/me`, `/nodes`, the ledger and its summary fetched). Goal: under 1,000 ms.',
    '',
    '| scenario | DOMContentLoaded | first contentful paint | rendered | < 1 s |',
    '| --- | ---: | ---: | ---: | :-: |',
    ...rows,
    '',
    `Machine: ${meta.machine}. ECharts (1 MB) is not on the first screen: the leaders’ view loads it when opened.`,
  ].join('\n');
}

async function writeSection(text: string): Promise<void> {
  let current = await readFile(DOC, 'utf8');
  const block = `${START}\n${text.trim()}\n${END}\n`;
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  if (start >= 0 && end > start)
    current = current.slice(0, start) + current.slice(end + END.length).replace(/^\n/, '');
  const at = current.indexOf(RESULTS_MARKER);
  await writeFile(
    DOC,
    at >= 0 ? `${current.slice(0, at)}${block}\n${current.slice(at)}` : `${current.trimEnd()}\n\n${block}`,
  );
}

async function main(): Promise<void> {
  const runs = positiveInt('BENCH_CONSOLE_RUNS', 15);
  const items = positiveInt('BENCH_CONSOLE_ITEMS', 300);
  const path = chromiumPath();
  if (typeof path !== 'string') throw new Error(path.unavailable);
  const busy = await backgroundBusy();
  const background = { busy, load1: os.loadavg()[0]! };
  const dataDir = mkdtempSync(join(tmpdir(), 'duban-bench-console-'));
  chmodSync(dataDir, 0o755); // the embedded server runs as the postgres user when we are root
  let host: HostProcess | undefined;
  let browser: Browser | undefined;
  try {
    const t0 = Date.now();
    host = await startHostProcess(dataDir, { env: { DUBAN_LOGIN_RATE_LIMIT: '1000' }, timeoutMs: 180_000 });
    console.log(`[bench:console] host up in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${host.url}`);
    await seed(host.url, items);
    console.log(`[bench:console] ${items} items assigned`);
    browser = await launchChromium(path);
    const scenarios = await run(browser, host.url, runs);
    const m = describeMachine('embedded', 'embedded', background);
    const text = section(scenarios, {
      runs,
      items,
      browser: `Chromium ${browser.version()}`,
      machine: `${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(0)} GiB, Node ${m.node}, ${m.date.slice(0, 10)}`,
    });
    console.log(text);
    if (process.env.BENCH_CONSOLE_DOC !== '0') await writeSection(text);
  } finally {
    await browser?.close();
    if (host) {
      host.child.kill('SIGTERM');
      await new Promise((r) => host!.child.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('[bench:console] failed:', error);
      process.exit(1);
    },
  );
}
