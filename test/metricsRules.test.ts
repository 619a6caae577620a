import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EmbeddedEventLog } from '@duban/bus';
import { HostedNodes, createLogger, systemClock } from '@duban/kit';
import { METRIC_NAMES, NodeProcessConfig, ProcessMetrics } from '@duban/runtime';
import { describeWhenAvailable } from '@duban/testing';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ALERTS = join(ROOT, 'infra/prometheus/alerts.yml');
const ALERT_TESTS = join(ROOT, 'infra/prometheus/alerts.test.yml');
const PROMETHEUS = join(ROOT, 'infra/prometheus/prometheus.yml');
const DASHBOARD = join(ROOT, 'infra/grafana/duban-dashboard.json');

const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring']);

/** The metric names a PromQL expression reads (not its functions, labels, strings or ranges). */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (m[2] || PROMQL_WORDS.has(m[1]!)) continue;
    names.add(m[1]!);
  }
  return [...names];
}

type Rule = {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};

describe('alert rules and the dashboard name only metrics the registry defines', () => {
  // Never queried: the registry's metric names are known without a scrape.
  const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1 });
  const metrics = new ProcessMetrics({
    config: NodeProcessConfig.parse({}),
    log: new EmbeddedEventLog({
      pool,
      url: 'postgres://nobody@127.0.0.1:1/none',
      logger: createLogger({ level: 'silent' }),
    }),
    pool,
    logPool: pool,
    hosted: new HostedNodes(['county']),
    clock: systemClock,
    logger: createLogger({ level: 'silent' }),
  });
  afterAll(async () => {
    await metrics.close();
    await pool.end();
  });
  /** What a scrape can show: each metric, a histogram's three series, and Prometheus's own `up`. */
  const defined = new Set<string>(['up']);
  for (const m of metrics.registry.getMetricsAsArray()) {
    const { name, type } = m as unknown as { name: string; type: string };
    defined.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) defined.add(`${name}${s}`);
  }

  it('defines every name METRIC_NAMES (ADR 0028) lists', () => {
    for (const name of METRIC_NAMES) expect(defined, name).toContain(name);
  });

  it('reads the extraction right', () => {
    expect(
      metricNamesIn(
        'sum by (job, group) (delta(duban_consumer_lag{topic=~"a.b"}[10m])) > 0 and up == 0 or x unless y offset 5m',
      ).sort(),
    ).toEqual(['duban_consumer_lag', 'up', 'x', 'y']);
    expect(
      metricNamesIn('histogram_quantile(0.95, sum by (le) (rate(h_bucket{i=~"$i"}[$__rate_interval])))'),
    ).toEqual(['h_bucket']);
  });

  it('alerts.yml: the expected alerts, well formed, over defined metrics', () => {
    const file = parse(readFileSync(ALERTS, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> };
    const rules = file.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert).sort()).toEqual(
      [
        'DubanConsumerLagGrowing',
        'DubanDeadLetter',
        'DubanDeliveriesFailing',
        'DubanHostDown',
        'DubanMetricsCollectorFailing',
        'DubanOutboxStuck',
        'DubanTimersLate',
      ].sort(),
    );
    for (const rule of rules) {
      expect(rule.expr, rule.alert).toEqual(expect.any(String));
      expect(rule.labels?.severity, rule.alert).toMatch(/^(critical|warning|info)$/);
      expect(rule.annotations?.summary, rule.alert).toEqual(expect.any(String));
      if (rule.for !== undefined) expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      const names = metricNamesIn(rule.expr!);
      expect(names.length, rule.alert).toBeGreaterThan(0);
      for (const name of names) expect(defined, `${rule.alert} reads ${name}`).toContain(name);
    }
    expect(rules.find((r) => r.alert === 'DubanConsumerLagGrowing')?.for).toBe('10m');
    expect(rules.find((r) => r.alert === 'DubanOutboxStuck')?.expr).toContain('> 300');
    expect(rules.find((r) => r.alert === 'DubanTimersLate')?.expr).toContain('> 60');
  });

  it('the Grafana dashboard: its panels over defined metrics', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      uid: string;
      panels: Array<{ title: string; type: string; targets?: Array<{ expr: string }> }>;
    };
    expect(dashboard.uid).toBe('duban-overview');
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    for (const title of [
      'HTTP p95 latency by route',
      'Consumer lag by group',
      'Outbox depth',
      'Oldest unpublished outbox row',
      'Dead letters (new, per hour, by code)',
      'Timers lateness',
      'Deliveries failed or retrying',
    ])
      expect(panels.map((p) => p.title)).toContain(title);
    for (const panel of panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets!)
        for (const name of metricNamesIn(expr))
          expect(defined, `${panel.title} reads ${name}`).toContain(name);
    }
  });
});

const promtool = spawnSync('promtool', ['--version']).status === 0;
describeWhenAvailable(
  'promtool checks the rules, their unit tests and the scrape configuration',
  promtool ? undefined : 'promtool is not installed (Debian: apt-get install prometheus)',
  process.env.CI === 'true' || process.env.DUBAN_REQUIRE_PROMTOOL === '1',
  () => {
    const run = (...args: string[]) => execFileSync('promtool', args, { cwd: ROOT, encoding: 'utf8' });
    it('check rules', () => expect(run('check', 'rules', ALERTS)).toContain('SUCCESS: 7 rules found'));
    it('test rules (alerts.test.yml: each alert fires, and only when it should)', () =>
      expect(run('test', 'rules', ALERT_TESTS)).toContain('SUCCESS'));
    it('check config', () =>
      expect(run('check', 'config', PROMETHEUS)).toContain('is valid prometheus config'));
  },
);
