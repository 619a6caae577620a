import {
  ALL_ANALYTICS_TOPICS,
  ANALYTICS_TOPICS,
  ANALYTICS_TOPIC_PREFIX,
  DOMAINS,
  REVIEW_POINTS,
  TOPICS,
} from '@duban/events';
import { VirtualClock, createLogger } from '@duban/kit';
import type { Logger } from '@duban/kit';
import { NodeProcessConfig, startNodeProcess } from '@duban/runtime';
import type { RunningNode } from '@duban/runtime';
import { allServices } from '@duban/host';
import { demoCounty } from '@duban/org';
import { TestSignIn } from '@duban/auth/testing';
import type { TestPerson } from '@duban/auth/testing';
import type { Statistics } from '@duban/statistics';
import { analyse, analyseAnalytics, readEmbeddedLog, readKafka } from '@duban/statistics';

/** The seed article's year (睢县, 2007) replayed on the 2026 calendar. */
export interface SeedYearSize {
  /** Sub-items of the annual targets, one per node (the article: every township and unit, 112). */
  annualNodes: number;
  /** 领导批示件 (the article: 132, all closed). */
  instructions: number;
  /** 民意快线 cases (the article: 206). */
  hotline: number;
  /** Instructions returned once before acceptance. */
  returnedEvery: number;
  /** Instructions reopened (复查复议) after closing: the article keeps the rate under 4%. */
  reopened: number;
}

export const FULL_YEAR: SeedYearSize = {
  annualNodes: 112,
  instructions: 132,
  hotline: 206,
  returnedEvery: 9,
  reopened: 4,
};
export const REDUCED_YEAR: SeedYearSize = {
  annualNodes: 6,
  instructions: 12,
  hotline: 10,
  returnedEvery: 4,
  reopened: 1,
};

export interface SeedYearResult {
  statistics: Statistics;
  instructions: Statistics;
  hotline: Statistics;
  analyst: { county: Statistics; events: number };
  /** The same analyst over the analysts' redacted stream (duban.analytics.tasks: ADR 0031). */
  analytics: { county: Statistics; events: number };
  /** Every record of the domain topics and of the analytics topics, as the log holds them. */
  records: { raw: string[]; analytics: string[] };
  scoreboard: Array<{ unit: string; points: number; decisions: number }>;
  sanctions: Array<{ unit: string; kind: string }>;
  events: number;
  wallMs: number;
}

const CITIZEN_FAMILY = ['王', '李', '赵', '孙'];
const CITIZEN_GIVEN = ['建国', '秀英', '桂兰', '志强'];

const ALL_OK = Object.fromEntries(REVIEW_POINTS.map((p) => [p, { ok: true }]));
const HEAD: TestPerson = { person: '单位主要负责人', roles: 'unit-head' };
const cst = (s: string) => new Date(`${s}+08:00`);

/** Calls the host as people of its nodes, each signed in for real (without `as`: the node's operator). */
class Client {
  constructor(
    readonly base: string,
    private readonly log: Logger,
    private readonly signIn: TestSignIn,
  ) {}
  async call<T>(
    method: string,
    node: string,
    path: string,
    body?: unknown,
    as?: TestPerson,
    form = false,
  ): Promise<T> {
    const res = await fetch(`${this.base}/nodes/${node}${path}`, {
      method,
      headers: {
        ...(body === undefined
          ? {}
          : { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' }),
        ...(await this.signIn.headers(node, as)),
      },
      ...(body === undefined
        ? {}
        : {
            body: form
              ? new URLSearchParams(body as Record<string, string>).toString()
              : JSON.stringify(body),
          }),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }
  post<T = unknown>(node: string, path: string, body: unknown = {}, as?: TestPerson) {
    return this.call<T>('POST', node, path, body, as);
  }
  get<T>(node: string, path: string) {
    return this.call<T>('GET', node, path);
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`seed year: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type Item = { id: string; status: string; assignee: string };

/**
 * Replays a county year through all 113 nodes of the demo county, hosted by one process (the
 * embedded default's shape) on a virtual clock, over the given transport; then asks the scoring
 * service for the statistics and the scoreboard, and an analyst for the same numbers from the raw
 * stream.
 */
export async function runSeedYear(options: {
  size: SeedYearSize;
  databaseUrl: string;
  kafka?: { brokers: string[]; topicPrefix: string } | undefined;
  logLevel?: string;
}): Promise<SeedYearResult> {
  const started = Date.now();
  const logger = createLogger({ level: options.logLevel ?? 'warn', name: 'seed-year' });
  const clock = new VirtualClock(cst('2026-01-05T09:00:00'));
  const org = demoCounty();
  const config = NodeProcessConfig.parse({
    DATABASE_URL: options.databaseUrl,
    PORT: '0',
    DATABASE_POOL_SIZE: '5',
    LOG_LEVEL: options.logLevel ?? 'warn',
    ...(options.kafka
      ? { KAFKA_BROKERS: options.kafka.brokers.join(','), KAFKA_TOPIC_PREFIX: options.kafka.topicPrefix }
      : {}),
  });
  const node: RunningNode = await startNodeProcess({
    config,
    services: allServices({ REMINDER_POLL_MS: 20 }),
    title: 'seed year',
    clock,
    org,
    logger,
  });
  try {
    const base = await node.app.listen({ host: '127.0.0.1', port: 0 });
    const api = new Client(base, logger, new TestSignIn(() => ({ url: base, auth: node.ctx.auth })));
    const size = options.size;
    const children = org.children('county');
    const townships = children.filter((n) => n.kind === 'township');
    const units = children.filter((n) => n.kind === 'unit');
    const receivers = [...townships, ...units].slice(0, size.annualNodes);
    const status = async (nodeId: string, itemId: string) =>
      (await api.get<{ item: Item }>(nodeId, `/tasks/items/${itemId}`)).item.status;

    /** Acknowledge, report, sign off and have the county accept a batch of items. */
    async function acknowledge(items: Array<{ id: string; assignee: string }>) {
      await until('the items in the units’ ledgers', async () =>
        (await Promise.all(items.map((i) => status(i.assignee, i.id).catch(() => 'missing')))).every(
          (s) => s !== 'missing',
        ),
      );
      for (const i of items) await api.post(i.assignee, `/tasks/items/${i.id}/acknowledge`);
    }
    async function handle(
      items: Array<{ id: string; assignee: string }>,
      returnIds: ReadonlySet<string>,
      acknowledged = false,
    ) {
      if (!acknowledged) await acknowledge(items);
      const report = async (i: { id: string; assignee: string }, text: string) => {
        await api.post(i.assignee, `/tasks/items/${i.id}/report`, { summary: text });
        await api.post(i.assignee, `/tasks/items/${i.id}/sign-off`, {}, HEAD);
      };
      for (const i of items) await report(i, '已按要求办理完毕');
      await until('the reports at the county', async () =>
        (await Promise.all(items.map((i) => status('county', i.id)))).every((s) => s === 'reported'),
      );
      const back = items.filter((i) => returnIds.has(i.id));
      for (const i of back) {
        await api.post('county', `/tasks/items/${i.id}/review`, {
          outcome: 'returned',
          points: { ...ALL_OK, factsAndProcedure: { ok: false, comment: '事实不清' } },
          reasons: ['facts-or-procedure'],
          comment: '请补充核实',
        });
      }
      await until('the returns at the units', async () =>
        (await Promise.all(back.map((i) => status(i.assignee, i.id)))).every((s) => s === 'returned'),
      );
      for (const i of back) await report(i, '已补充核实');
      await until('the second reports', async () =>
        (await Promise.all(back.map((i) => status('county', i.id)))).every((s) => s === 'reported'),
      );
      for (const i of items)
        await api.post('county', `/tasks/items/${i.id}/review`, {
          outcome: 'accepted',
          points: ALL_OK,
          comment: '同意办结',
        });
    }

    // January: the annual targets, split per node (立项分解), due in mid-December.
    const plan = await api.post<{ item: Item }>('county', '/tasks/items', {
      title: '2026年度目标任务',
      kind: 'annual-target',
      source: 'annual-plan',
      mustSupervise: ['annual-target'],
      assignee: 'county',
      deadline: cst('2026-12-25T17:30:00').toISOString(),
    });
    const targets: Array<{ id: string; assignee: string }> = [];
    for (const r of receivers) {
      const { item } = await api.post<{ item: Item }>('county', '/tasks/items', {
        title: `2026年度目标任务（${r.name}）`,
        kind: 'annual-target',
        source: 'annual-plan',
        mustSupervise: ['annual-target'],
        leader: '县委副书记',
        assignee: r.id,
        parentId: plan.item.id,
        deadline: cst('2026-12-18T17:30:00').toISOString(),
      });
      targets.push({ id: item.id, assignee: r.id });
    }
    await acknowledge(targets);

    // Through the year: leader instructions and hotline cases, a few per week.
    const weeks = 46; // mid-January to late November
    const instructions: Array<{ id: string; assignee: string }> = [];
    for (let w = 0; w < weeks; w++) {
      clock.set(new Date(cst('2026-01-12T09:00:00').getTime() + w * 7 * 86400_000));
      const batch: Array<{ id: string; assignee: string }> = [];
      const from = Math.floor((w * size.instructions) / weeks);
      const to = Math.floor(((w + 1) * size.instructions) / weeks);
      for (let n = from; n < to; n++) {
        const unit = units[(n * 7) % units.length]!;
        const { item } = await api.post<{ item: Item }>('county', '/tasks/items', {
          title: `领导批示件第${n + 1}号`,
          kind: 'leader-instruction',
          source: n % 3 === 0 ? 'city-leader' : 'county-leader',
          mustSupervise: ['leader-assigned'],
          leader: '县长',
          assignee: unit.id,
          deadlineRule: { kind: 'working-days', days: 10 },
        });
        batch.push({ id: item.id, assignee: unit.id });
      }
      const hFrom = Math.floor((w * size.hotline) / weeks);
      const hTo = Math.floor(((w + 1) * size.hotline) / weeks);
      const hotline: Array<{ id: string; assignee: string }> = [];
      const services = (
        await api.call<Array<{ service_code: string }>>('GET', 'county', '/open311/v2/services.json')
      ).map((s) => s.service_code);
      for (let n = hFrom; n < hTo; n++) {
        const [created] = await api.call<Array<{ service_request_id: string }>>(
          'POST',
          'county',
          '/open311/v2/requests.json',
          {
            service_code: services[n % services.length]!,
            description: `群众反映问题第${n + 1}件`,
            address_string: '睢县城关镇',
            // A citizen who can be told apart in every record: the analysts' stream must hold none of it.
            first_name: `${CITIZEN_GIVEN[n % CITIZEN_GIVEN.length]}${n + 1}`,
            last_name: CITIZEN_FAMILY[n % CITIZEN_FAMILY.length]!,
            phone: `1390371${String(n).padStart(4, '0')}`,
            email: `citizen${n + 1}@example.cn`,
          },
          undefined,
          true,
        );
        const item = await api.get<{ item: Item }>('county', `/tasks/items/${created!.service_request_id}`);
        hotline.push({ id: item.item.id, assignee: item.item.assignee });
      }
      await handle(
        [...batch, ...hotline],
        new Set(batch.filter((_, i) => (from + i) % size.returnedEvery === 0).map((b) => b.id)),
      );
      for (const h of hotline) {
        await api.post('county', `/tasks/items/${h.id}/feedback`, {
          audience: 'citizen',
          content: '已电话回访',
          satisfaction: h.id.endsWith('7') ? 'basically-satisfied' : 'satisfied',
        });
      }
      instructions.push(...batch);
    }

    // 复查复议: a few closed instructions reopened and closed again.
    clock.set(cst('2026-12-01T09:00:00'));
    const reopened = instructions.slice(0, size.reopened);
    for (const i of reopened)
      await api.post('county', `/tasks/items/${i.id}/reopen`, { reason: '复查发现问题未彻底解决' });
    await until('the reopened items at the units', async () =>
      (await Promise.all(reopened.map((i) => status(i.assignee, i.id)))).every((s) => s === 'reopened'),
    );
    for (const i of reopened) {
      await api.post(i.assignee, `/tasks/items/${i.id}/report`, { summary: '已彻底整改' });
      await api.post(i.assignee, `/tasks/items/${i.id}/sign-off`, {}, HEAD);
    }
    await until('the reopened reports', async () =>
      (await Promise.all(reopened.map((i) => status('county', i.id)))).every((s) => s === 'reported'),
    );
    for (const i of reopened)
      await api.post('county', `/tasks/items/${i.id}/review`, { outcome: 'accepted', points: ALL_OK });

    // December: the annual targets come in; the year's decisions.
    clock.set(cst('2026-12-10T09:00:00'));
    await handle(targets, new Set(), true);
    await until('the plan closes', async () => (await status('county', plan.item.id)) === 'closed');
    const commended = units.slice(0, 3);
    for (const u of commended)
      await api.post('county', '/scoring/decisions', {
        unit: u.id,
        kind: 'commendation',
        body: 'committee',
        reason: '年度目标任务完成突出',
      });
    const criticised = units.slice(10, 12);
    for (const u of criticised) {
      await api.post('county', '/scoring/decisions', {
        unit: u.id,
        kind: 'criticism',
        body: 'office',
        reason: '督办事项办理不力',
      });
      await api.post('county', '/scoring/decisions', {
        unit: u.id,
        kind: 'criticism',
        body: 'committee',
        reason: '督办事项多次催办仍不落实',
      });
    }

    // Everything delivered: the relay drained and the scoring facts caught up with the tasks events.
    await node.delivery.flushed();
    const expectedItems = targets.length + instructions.length + size.hotline;
    await until('the statistics to see every item closed', async () => {
      const s = await api.get<{ statistics: Statistics }>('county', '/scoring/statistics?year=2026');
      return s.statistics.items === expectedItems && s.statistics.closed === expectedItems;
    });
    // …and the county's projector has written every event's analytics record, and the relay sent them.
    const analyticsRows = { topic: { startsWith: ANALYTICS_TOPIC_PREFIX } };
    await until('the analysts’ stream to catch up', async () => {
      const [all, projected] = await Promise.all([
        node.ctx.prisma.outboxEvent.count(),
        node.ctx.prisma.outboxEvent.count({ where: analyticsRows }),
      ]);
      return projected * 2 >= all;
    });
    await node.delivery.flushed();
    const [county, byKind, board, sanctions] = await Promise.all([
      api.get<{ statistics: Statistics }>('county', '/scoring/statistics?year=2026'),
      api.get<{ groups: Record<string, Statistics> }>('county', '/scoring/statistics?year=2026&groupBy=kind'),
      api.get<{ units: SeedYearResult['scoreboard'] }>('county', '/scoring/scoreboard?year=2026'),
      api.get<{ sanctions: Array<{ unit: string; kind: string }> }>('county', '/scoring/sanctions?year=2026'),
    ]);
    const raw = options.kafka
      ? await readKafka(options.kafka.brokers, options.kafka.topicPrefix)
      : await readEmbeddedLog(options.databaseUrl);
    const year = {
      from: cst('2026-01-01T00:00:00').toISOString(),
      to: cst('2027-01-01T00:00:00').toISOString(),
    };
    const analyst = analyse(raw, year, clock.now().toISOString());
    const readTopic = (topic: string) =>
      options.kafka
        ? readKafka(options.kafka.brokers, { topicPrefix: options.kafka.topicPrefix, topic })
        : readEmbeddedLog(options.databaseUrl, topic);
    const analytics = analyseAnalytics(
      await readTopic(ANALYTICS_TOPICS.tasks),
      year,
      clock.now().toISOString(),
      'county',
    );
    const records = {
      raw: (await Promise.all(DOMAINS.map((d) => readTopic(TOPICS[d])))).flat(),
      analytics: (await Promise.all(ALL_ANALYTICS_TOPICS.map(readTopic))).flat(),
    };
    const events = await node.ctx.prisma.outboxEvent.count({
      where: { NOT: analyticsRows },
    });
    return {
      statistics: county.statistics,
      instructions: byKind.groups['leader-instruction']!,
      hotline: byKind.groups.hotline!,
      analyst: { county: analyst.county, events: analyst.events },
      analytics: { county: analytics.county, events: analytics.events },
      records,
      scoreboard: board.units,
      sanctions: sanctions.sanctions.map((s) => ({ unit: s.unit, kind: s.kind })),
      events,
      wallMs: Date.now() - started,
    };
  } finally {
    await node.close();
  }
}
