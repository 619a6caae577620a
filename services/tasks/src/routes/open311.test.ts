import { REVIEW_POINTS } from '@duban/events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKeyBundle } from '@duban/bus';
import { XMLParser } from 'fast-xml-parser';
import { createFreshDatabase } from '@duban/db';
import type { FreshDatabase } from '@duban/db';
import { VirtualClock, createLogger } from '@duban/kit';
import { demoCounty } from '@duban/org';
import { NodeProcessConfig, startNodeProcess } from '@duban/runtime';
import type { RunningNode } from '@duban/runtime';
import { TestSignIn } from '@duban/auth/testing';
import { tasksService } from '../module';

declare module 'vitest' {
  // Provided by the global setup (packages/testing): the PostgreSQL server of the test run.
  interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

/**
 * Open311 end to end, over real HTTP between real node processes (the pattern of
 * test/network/harness.ts, with the tasks service alone: a service never imports the host): the
 * county office and the unit of the 城市管理 category, each with its own database, sharing the
 * embedded event log.
 */

type Wire = Record<string, unknown>;
type Item = {
  id: string;
  status: string;
  kind: string;
  source: string;
  caseRef: string | null;
  assignee: string;
  description: string;
  title: string;
  mustSupervise: string[];
  deadline: string;
};

const HOUR = 3600_000;
const ALL_OK = Object.fromEntries(REVIEW_POINTS.map((p) => [p, { ok: true }]));

const xml = new XMLParser({
  isArray: (name) => ['service', 'request', 'error', 'attribute'].includes(name),
  parseTagValue: false,
});

async function eventually<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Open311 GeoReport v2 at the county office', () => {
  // Monday 2 March 2026, 09:00 Beijing time.
  const clock = new VirtualClock('2026-03-02T01:00:00Z');
  const org = demoCounty();
  const unit = org.all().find((n) => n.name === '县城市管理局')!.id;
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'open311' });
  const dbs: FreshDatabase[] = [];
  const nodes = new Map<string, { url: string; running: RunningNode }>();
  const base = () => `${nodes.get('county')!.url}/nodes/county/open311/v2`;
  const signIn = new TestSignIn((nodeId) => {
    const node = nodes.get(nodeId)!;
    return { url: node.url, auth: node.running.ctx.auth };
  });
  // Two processes share a log: each needs the other's public key (docs/decisions/0012).
  const keyDir = mkdtempSync(join(tmpdir(), 'duban-open311-keys-'));
  const keys = createKeyBundle(keyDir, ['county', unit]);

  async function start(nodeId: string, logUrl: string): Promise<void> {
    const db = await createFreshDatabase(inject('postgresAdminUrl'), `t_open311_${nodeId}`);
    dbs.push(db);
    const running = await startNodeProcess({
      config: NodeProcessConfig.parse({
        DATABASE_URL: db.url,
        DUBAN_NODES: nodeId,
        PORT: '0',
        DATABASE_POOL_SIZE: '3',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        EVENT_LOG_DATABASE_URL: logUrl,
        DUBAN_TRUST_STORE: keys.trustStore,
        DUBAN_NODE_KEYS: keys.privateDir,
      }),
      services: [tasksService],
      title: `duban ${nodeId}`,
      clock,
      org,
      logger: logger.child({ node: nodeId }),
    });
    const url = await running.app.listen({ host: '127.0.0.1', port: 0 });
    nodes.set(nodeId, { url, running });
  }

  /** The tasks API of a node, as the walking skeleton calls it. */
  async function tasks<T>(
    nodeId: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    as?: { person: string; roles: string },
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(await signIn.headers(nodeId, as)),
    };
    const r = await fetch(`${nodes.get(nodeId)!.url}/nodes/${nodeId}/tasks${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: (await r.json()) as T };
  }

  async function open311(
    path: string,
    init: RequestInit = {},
  ): Promise<{ status: number; type: string; text: string }> {
    // Open311 clients (the 12345 hotline's integration) sign in like anyone (docs/open311.md).
    const r = await fetch(`${base()}${path}`, {
      ...init,
      headers: {
        ...(init.headers as Record<string, string> | undefined),
        ...(await signIn.headers('county')),
      },
    });
    return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
  }

  async function getJson<T = Wire[]>(path: string): Promise<{ status: number; body: T; type: string }> {
    const r = await open311(path);
    return { status: r.status, body: JSON.parse(r.text) as T, type: r.type };
  }

  /** A form body exactly as an Open311 client sends it. */
  function postForm(path: string, form: string) {
    return open311(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: form,
    });
  }

  let formCase: string;
  let jsonCase: string;

  beforeAll(async () => {
    const log = await createFreshDatabase(inject('postgresAdminUrl'), 't_open311_log');
    dbs.push(log);
    await start('county', log.url);
    await start(unit, log.url);
  });

  afterAll(async () => {
    for (const { running } of nodes.values()) await running.close();
    for (const db of dbs) await db.drop().catch(() => undefined);
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('lists the hotline categories, each with its unit, in JSON and XML', async () => {
    const list = await getJson<Wire[]>('/services.json?jurisdiction_id=suixian.gov.cn');
    expect(list.status).toBe(200);
    expect(list.type).toBe('application/json; charset=utf-8');
    expect(list.body).toHaveLength(10);
    expect(list.body.find((s) => s.service_code === 'city-management')).toEqual({
      service_code: 'city-management',
      service_name: '城市管理',
      description: expect.stringContaining('占道经营'),
      metadata: false,
      type: 'realtime',
      keywords: expect.stringContaining('违章搭建,'),
      group: '城乡管理',
    });

    const asXml = await open311('/services.xml');
    expect(asXml.type).toBe('text/xml; charset=utf-8');
    expect(asXml.text.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const doc = xml.parse(asXml.text) as { services: { service: Wire[] } };
    expect(doc.services.service.map((s) => s.service_code)).toEqual(list.body.map((s) => s.service_code));
    expect(doc.services.service[0]).toMatchObject({ metadata: 'false', type: 'realtime' });

    const definition = await getJson<Wire>('/services/water-supply.json');
    expect(definition.body).toEqual({ service_code: 'water-supply', attributes: [] });
    const definitionXml = xml.parse((await open311('/services/water-supply.xml')).text) as Wire;
    expect(definitionXml.service_definition).toEqual({ service_code: 'water-supply', attributes: '' });
  });

  it('files a form-encoded request as a county item assigned to the category’s unit', async () => {
    const form = [
      'api_key=xyz',
      'jurisdiction_id=suixian.gov.cn',
      'service_code=city-management',
      'lat=34.446612',
      'long=115.071301',
      `address_string=${encodeURIComponent('睢县城关镇北湖路12号')}`,
      'email=zhangsan%40example.cn',
      'device_id=tt222111',
      'account_id=123456',
      `first_name=${encodeURIComponent('三')}`,
      `last_name=${encodeURIComponent('张')}`,
      'phone=13800001234',
      `description=${encodeURIComponent('北湖路路灯连续一周不亮，夜间行人摔倒。\n请尽快维修。')}`,
      'media_url=http%3A%2F%2Fexample.cn%2Fphoto.jpg',
      'attribute[WHERE]=north',
      'attribute[LAMPS][]=12',
      'attribute[LAMPS][]=13',
    ]
      .join('&')
      .replace(/%20/g, '+');
    const r = await postForm('/requests.xml', form);
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/xml; charset=utf-8');
    const doc = xml.parse(r.text) as { service_requests: { request: Wire[] } };
    expect(doc.service_requests.request).toHaveLength(1);
    const created = doc.service_requests.request[0]!;
    formCase = String(created.service_request_id);
    expect(formCase).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.account_id).toBe('123456');
    expect(created.service_notice).toContain('县城市管理局');
    expect(created.service_notice).toContain('2026-03-09');

    // The county's ledger holds it as a hotline item it assigned, with the contact for the unit.
    const ledger = await tasks<{ items: Item[] }>('county', 'GET', '/items?kind=hotline');
    const item = ledger.body.items.find((i) => i.id === formCase)!;
    expect(item).toMatchObject({
      kind: 'hotline',
      source: 'city-hotline',
      caseRef: 'open311:city-management',
      assignee: unit,
      status: 'assigned',
      mustSupervise: ['social-stability'],
      title: '【民意快线】城市管理：北湖路路灯连续一周不亮，夜间行人摔倒。 请尽快维修。',
    });
    // Five working days on the calendar: Tue 3 … Mon 9 March, end of the working day.
    expect(item.deadline).toBe(new Date('2026-03-09T17:30:00+08:00').toISOString());
    // The ledger row leaves the long texts out; the item page has the case text for the unit.
    expect(item).not.toHaveProperty('description');
    const { description } = (await tasks<{ item: Item }>('county', 'GET', `/items/${formCase}`)).body.item;
    expect(description).toContain('北湖路路灯连续一周不亮');
    expect(description).toContain('地址：睢县城关镇北湖路12号');
    expect(description).toContain('坐标：34.446612,115.071301（WGS84）');
    expect(description).toContain('联系人：张三');
    expect(description).toContain('电话：13800001234');
    expect(description).toContain('附加信息：WHERE=north；LAMPS=12,13');

    // …and it arrives in the responsible unit's own ledger.
    const received = await eventually('the case in the unit’s ledger', async () => {
      const r2 = await tasks<{ items: Item[] }>(unit, 'GET', '/items?kind=hotline');
      return r2.body.items.find((i) => i.id === formCase);
    });
    expect(received).toMatchObject({ status: 'assigned', caseRef: 'open311:city-management' });
    const { item: theirs } = (await tasks<{ item: Item }>(unit, 'GET', `/items/${formCase}`)).body;
    expect(theirs.description).toContain('电话：13800001234');
  });

  it('files a JSON request too', async () => {
    const r = await open311('/requests.json', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        service_code: 'water-supply',
        address_string: '睢县城郊乡李庄村',
        address_id: 4711,
        description: '村里停水三天了',
        phone: '',
        attribute: { HOUSEHOLDS: ['40'] },
      }),
    });
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json; charset=utf-8');
    const body = JSON.parse(r.text) as Wire[];
    expect(body).toEqual([
      {
        service_request_id: expect.any(String),
        service_notice: expect.stringContaining('县自来水公司'),
        account_id: null,
      },
    ]);
    jsonCase = String(body[0]!.service_request_id);
  });

  it('shows a request as the spec’s fields, without the citizen’s contact details', async () => {
    const one = await getJson<Wire[]>(`/requests/${formCase}.json`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual([
      {
        service_request_id: formCase,
        status: 'open',
        status_notes: expect.stringContaining('已交办'),
        service_name: '城市管理',
        service_code: 'city-management',
        description: '北湖路路灯连续一周不亮，夜间行人摔倒。\n请尽快维修。',
        agency_responsible: '县城市管理局',
        service_notice: expect.stringContaining('督〔2026〕'),
        requested_datetime: '2026-03-02T09:00:00+08:00',
        updated_datetime: '2026-03-02T09:00:00+08:00',
        expected_datetime: '2026-03-09T17:30:00+08:00',
        address: '睢县城关镇北湖路12号',
        address_id: null,
        zipcode: null,
        lat: 34.446612,
        long: 115.071301,
        media_url: 'http://example.cn/photo.jpg',
      },
    ]);
    const text = JSON.stringify(one.body);
    for (const secret of ['13800001234', 'zhangsan', '张三', 'tt222111', '123456'])
      expect(text).not.toContain(secret);

    const asXml = await open311(`/requests/${formCase}.xml`);
    expect(asXml.type).toBe('text/xml; charset=utf-8');
    const doc = xml.parse(asXml.text) as { service_requests: { request: Wire[] } };
    expect(doc.service_requests.request).toHaveLength(1);
    expect(doc.service_requests.request[0]).toMatchObject({
      service_request_id: formCase,
      status: 'open',
      service_code: 'city-management',
      agency_responsible: '县城市管理局',
      lat: '34.446612',
      long: '115.071301',
      address_id: '',
      zipcode: '',
    });
    expect(asXml.text).not.toContain('13800001234');

    const water = await getJson<Wire[]>(`/requests/${jsonCase}.json`);
    expect(water.body[0]).toMatchObject({ address_id: '4711', lat: null, description: '村里停水三天了' });
  });

  it('finds requests by service_code, status, ids and dates', async () => {
    const open = await getJson<Wire[]>('/requests.json?service_code=city-management&status=open');
    expect(open.body.map((r) => r.service_request_id)).toEqual([formCase]);
    const closed = await getJson<Wire[]>('/requests.json?service_code=city-management&status=closed');
    expect(closed.body).toEqual([]);
    const all = await getJson<Wire[]>('/requests.json');
    expect(all.body.map((r) => r.service_request_id)).toEqual([jsonCase, formCase]); // newest first
    const byIds = await getJson<Wire[]>(
      `/requests.json?service_request_id=${formCase},${jsonCase}&status=closed`, // ids override the rest
    );
    expect(byIds.body).toHaveLength(2);
    const both = await getJson<Wire[]>(
      '/requests.json?service_code=city-management&service_code=water-supply',
    );
    expect(both.body).toHaveLength(2);
    const earlier = await getJson<Wire[]>(
      '/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-03-01T00:00:00%2B08:00',
    );
    expect(earlier.body).toEqual([]);
    const asXml = xml.parse((await open311('/requests.xml?status=open')).text) as {
      service_requests: { request: Wire[] };
    };
    expect(asXml.service_requests.request.map((r) => r.service_request_id)).toEqual([jsonCase, formCase]);
    const none = xml.parse((await open311('/requests.xml?service_code=education')).text) as Wire;
    expect(none.service_requests).toBe('');
  });

  it('follows the case through acknowledge, report, sign-off and review until it is closed', async () => {
    clock.advance(2 * HOUR);
    expect((await tasks(unit, 'POST', `/items/${formCase}/acknowledge`)).status).toBe(200);
    await eventually('the county sees the acknowledgement', async () => {
      const r = await getJson<Wire[]>(`/requests/${formCase}.json`);
      return String(r.body[0]!.status_notes).startsWith('已签收') ? r.body[0] : undefined;
    });

    clock.advance(24 * HOUR);
    const draft = await tasks(unit, 'POST', `/items/${formCase}/report`, {
      summary: '已更换北湖路路灯12盏，恢复夜间照明，并电话回访市民。',
    });
    expect(draft.status).toBe(200);
    const signed = await tasks(
      unit,
      'POST',
      `/items/${formCase}/sign-off`,
      {},
      {
        person: '王局长',
        roles: 'unit-head',
      },
    );
    expect(signed.status).toBe(200);
    await eventually('the county sees the report', async () => {
      const r = await tasks<{ item: Item }>('county', 'GET', `/items/${formCase}`);
      return r.body.item.status === 'reported';
    });
    const underReview = await getJson<Wire[]>(`/requests/${formCase}.json`);
    expect(underReview.body[0]).toMatchObject({
      status: 'open',
      status_notes: expect.stringContaining('已报结'),
    });

    clock.advance(HOUR);
    const review = await tasks('county', 'POST', `/items/${formCase}/review`, {
      outcome: 'accepted',
      points: ALL_OK,
      comment: '审核通过',
    });
    expect(review.status).toBe(200);
    const closed = await getJson<Wire[]>(`/requests/${formCase}.json`);
    expect(closed.body[0]).toMatchObject({
      status: 'closed',
      status_notes: '已办结 closed',
      updated_datetime: '2026-03-03T12:00:00+08:00',
    });
    const closedList = await getJson<Wire[]>('/requests.json?status=closed');
    expect(closedList.body.map((r) => r.service_request_id)).toEqual([formCase]);
    await eventually('the unit sees the closure', async () => {
      const r = await tasks<{ item: Item }>(unit, 'GET', `/items/${formCase}`);
      return r.body.item.status === 'closed';
    });
  });

  it('answers bad requests with the spec’s error lists', async () => {
    const noCode = await postForm('/requests.json', 'lat=34.4&long=115.0&description=x');
    expect(noCode.status).toBe(400);
    expect(noCode.type).toBe('application/json; charset=utf-8');
    expect(JSON.parse(noCode.text)).toEqual([{ code: 400, description: 'service_code was not provided' }]);

    const noCodeXml = await postForm('/requests.xml', 'service_code=&address_string=x');
    expect(noCodeXml.status).toBe(400);
    expect(noCodeXml.type).toBe('text/xml; charset=utf-8');
    const errors = xml.parse(noCodeXml.text) as { errors: { error: Wire[] } };
    expect(errors.errors.error).toEqual([{ code: '400', description: 'service_code was not provided' }]);

    const unknownCode = await postForm('/requests.json', 'service_code=potholes&lat=34.4&long=115.0');
    expect(unknownCode.status).toBe(404);
    expect(JSON.parse(unknownCode.text)).toEqual([
      { code: 404, description: 'service_code potholes was not found' },
    ]);

    const noLocation = await postForm('/requests.json', 'service_code=education&lat=34.4&description=x');
    expect(noLocation.status).toBe(400);
    expect(JSON.parse(noLocation.text)).toEqual([
      { code: 400, description: 'long: lat and long must be sent together' },
    ]);

    const badFields = await postForm('/requests.json', 'service_code=education&lat=north&long=200');
    expect(badFields.status).toBe(400);
    expect((JSON.parse(badFields.text) as Wire[]).map((e) => e.description)).toEqual([
      'lat must be a number (WGS84 degrees)',
      'long must lie between -180 and 180',
    ]);

    const unknownId = await getJson<Wire[]>('/requests/019c0000-0000-7000-8000-000000000000.json');
    expect(unknownId.status).toBe(404);
    expect(unknownId.body).toEqual([
      { code: 404, description: 'service_request_id 019c0000-0000-7000-8000-000000000000 was not found' },
    ]);
    const garbageXml = await open311('/requests/12345.xml');
    expect(garbageXml.status).toBe(404);
    expect((xml.parse(garbageXml.text) as { errors: { error: Wire[] } }).errors.error[0]!.code).toBe('404');

    expect((await getJson<Wire[]>('/services/nothing.json')).status).toBe(404);
    expect((await open311('/services.csv')).status).toBe(404);
    expect((await open311('/tokens/1.json')).status).toBe(404);
    const span = await getJson<Wire[]>('/requests.json?start_date=2025-01-01&end_date=2026-01-01');
    expect(span.status).toBe(400);
    expect(span.body[0]!.description).toContain('90 days');

    // A unit is no jurisdiction; and the rest of the API keeps its own error body.
    const atUnit = await fetch(`${nodes.get(unit)!.url}/nodes/${unit}/open311/v2/services.json`, {
      headers: await signIn.headers(unit),
    });
    expect(atUnit.status).toBe(404);
    expect(((await atUnit.json()) as Wire[])[0]!.description).toContain('county supervision offices');
    const ours = await tasks<{ error: { code: string } }>('county', 'GET', '/items/not-a-uuid');
    expect(ours.status).toBe(400);
    expect(ours.body.error.code).toBe('request.invalid');

    // Without a token: refused in the spec's way (403 and an error list; docs/open311.md).
    const anonymous = await fetch(`${base()}/requests.json`);
    expect(anonymous.status).toBe(403);
    expect(((await anonymous.json()) as Wire[])[0]!.description).toContain('sign in');

    // Nothing of the refused requests reached the ledger.
    const ledger = await tasks<{ items: Item[] }>('county', 'GET', '/items?kind=hotline');
    expect(ledger.body.items.map((i) => i.id).sort()).toEqual([formCase, jsonCase].sort());
  });

  it('documents the endpoints in the OpenAPI description', async () => {
    const r = await fetch(`${nodes.get('county')!.url}/docs/json`);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { paths: Record<string, Record<string, unknown>> };
    const open311Paths = Object.entries(doc.paths).filter(([p]) => p.includes('/open311/v2/'));
    expect(open311Paths.flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)).sort()).toEqual([
      'get /nodes/{nodeId}/open311/v2/requests.{format}',
      'get /nodes/{nodeId}/open311/v2/requests/{id}.{format}',
      'get /nodes/{nodeId}/open311/v2/services.{format}',
      'get /nodes/{nodeId}/open311/v2/services/{code}.{format}',
      'post /nodes/{nodeId}/open311/v2/requests.{format}',
    ]);
  });
});
