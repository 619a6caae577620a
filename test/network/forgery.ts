import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  generateNodeKey,
  keyIdOf,
  readTrustStore,
  signPayload,
  signingKey,
  verifyAuditTrail,
} from '@duban/bus';
import type { DeadLetter, SigningKey, Subscription } from '@duban/bus';
import { createEvent, encodeEvent, REVIEW_POINTS, TOPICS } from '@duban/events';
import { eventually } from '@duban/testing';
import { TestNetwork, describeNetwork, deepCounty } from './harness';
import type { Transport } from './harness';

type Item = { id: string; status: string; revision: number };
type Seen = { item: Item; timeline: Array<{ id: string; type: string }> };

const HEAD = { person: '局长', roles: 'unit-head' };
const ADMIN = { person: '管理员', roles: 'admin' };
const DAY = 24 * 3600_000;
const ALL_OK = Object.fromEntries(REVIEW_POINTS.map((p) => [p, { ok: true }]));
const ORG = deepCounty([{ id: 'heji-agri', name: '河集乡农业服务中心', parentId: 'township-heji' }]);

/**
 * The forgeries, appended straight to the log as an attacker with write access to a topic
 * would: a unit forging the county's closure, a township replaying its old acceptance, an event
 * altered after signing, an event signed by a key nobody registered. Each is dead-lettered with its
 * reason by every consumer it reaches, and no ledger or timeline changes. Then a key rotation: events
 * under the old and the new key are accepted, the old key is refused once its grace period is over.
 */
export function describeForgery(transport: Transport | { unavailable: string }, required: boolean): void {
  describeNetwork('forged, altered, replayed and unknown-key events', transport, required, (transport) => {
    const net = new TestNetwork(transport, `forge_${transport.kind}`, '2026-03-02T01:00:00Z', ORG);
    const letters: DeadLetter[] = [];
    let reader: Subscription | undefined;
    const ids: { byCounty?: string; byTownship?: string } = {};

    const post = async (
      node: string,
      path: string,
      body: unknown = {},
      as?: { person: string; roles: string },
    ) => {
      const r = await net.call(node, 'POST', path, body, as);
      if (r.status >= 300) throw new Error(`${node} POST ${path} → ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const seen = async (node: string, id: string) =>
      (await net.call<Seen>(node, 'GET', `/tasks/items/${id}`)).body;
    const until = (what: string, node: string, id: string, status: string) =>
      eventually(what, async () => (await seen(node, id)).item?.status === status);
    const snapshot = async () => {
      const out: Record<string, { status: string; revision: number; timeline: string[] }> = {};
      for (const [node, id] of [
        ['county', ids.byCounty!],
        ['unit-001', ids.byCounty!],
        ['township-heji', ids.byTownship!],
        ['heji-agri', ids.byTownship!],
        ['county', ids.byTownship!],
      ] as const) {
        const s = await seen(node, id);
        out[`${node}/${id}`] = {
          status: s.item.status,
          revision: s.item.revision,
          timeline: s.timeline.map((e) => `${e.type}:${e.id}`),
        };
      }
      return out;
    };
    const assign = async (assigner: string, assignee: string, title: string) => {
      const deadline = new Date(net.clock.now().getTime() + 20 * DAY).toISOString();
      const r = (await post(assigner, '/tasks/items', {
        title,
        kind: 'annual-target',
        deadline,
        assignee,
      })) as {
        item: Item;
      };
      await until(`${assignee} has ${title}`, assignee, r.item.id, 'assigned');
      return r.item.id;
    };
    const report = async (assignee: string, assigner: string, id: string) => {
      await post(assignee, `/tasks/items/${id}/acknowledge`);
      await post(assignee, `/tasks/items/${id}/report`, { summary: '已完成' });
      await post(assignee, `/tasks/items/${id}/sign-off`, {}, HEAD);
      await until(`${assigner} has the report`, assigner, id, 'reported');
    };
    /** What an attacker with write access to the topic does: append bytes, bypassing every node. */
    const appendRaw = (subject: string, value: string, topic: string = TOPICS.tasks) =>
      net.nodes.get('county')!.running.log.append([{ topic, key: subject, value }]);
    const countyClosure = (itemId: string, comment: string) =>
      createEvent({
        type: 'tasks.item.closed',
        source: 'county',
        to: ['unit-001'],
        subject: itemId,
        time: net.clock.now(),
        data: {
          itemId,
          assigner: 'county',
          assignee: 'unit-001',
          closedAt: net.clock.now().toISOString(),
          comment,
          by: 'county:督查室',
        },
      });
    const trusted = (node: string): SigningKey => {
      const publicKey = readTrustStore(net.keys.trustStore).keys[node]![0]!;
      return net.privateKeyOf(node, keyIdOf(publicKey));
    };
    const lettersFor = (eventId: string) =>
      letters.filter((l) => (JSON.parse(l.value ?? '{}') as { id?: string }).id === eventId);
    /** Waits for `consumers` dead letters of the event, from consumers on at least the `hosts` given. */
    const deadLettered = (what: string, eventId: string, consumers: number, hosts: string[] = []) =>
      eventually(
        what,
        () => {
          const mine = lettersFor(eventId);
          const from = new Set(mine.map((l) => l.group.split('@')[1]));
          return mine.length >= consumers && hosts.every((h) => from.has(h)) && mine;
        },
        { timeoutMs: 60_000 },
      );

    beforeAll(async () => {
      for (const id of ['county', 'unit-001', 'township-heji', 'heji-agri']) await net.start(id);
      reader = await net.nodes.get('county')!.running.log.subscribe({
        groupId: `dead-letter-reader.${net.name}`,
        topics: [TOPICS.deadLetters],
        onMessage: async (m) => void letters.push(JSON.parse(m.value ?? 'null') as DeadLetter),
      });
      // The county's item waits for its review; the township's was accepted, then reopened (复查).
      ids.byCounty = await assign('county', 'unit-001', '整治县城违法建设');
      await report('unit-001', 'county', ids.byCounty);
      ids.byTownship = await assign('township-heji', 'heji-agri', '完成高标准农田建设');
      await report('heji-agri', 'township-heji', ids.byTownship);
      await post('township-heji', `/tasks/items/${ids.byTownship}/review`, {
        outcome: 'accepted',
        points: ALL_OK,
        comment: '同意',
      });
      await until('heji-agri sees the closure', 'heji-agri', ids.byTownship, 'closed');
      await post('township-heji', `/tasks/items/${ids.byTownship}/reopen`, { reason: '群众反映仍有问题' });
      await until('heji-agri sees it reopened', 'heji-agri', ids.byTownship, 'reopened');
      await until('the county sees it reopened', 'county', ids.byTownship, 'reopened');
    }, 120_000);
    afterAll(async () => {
      await reader?.stop();
      await net.close();
    });

    it('dead-letters a unit’s forged county closure (signed with the unit’s own key)', async () => {
      const before = await snapshot();
      const forged = countyClosure(ids.byCounty!, '伪造的办结');
      await appendRaw(forged.subject, signPayload(encodeEvent(forged), trusted('unit-001')));
      // Every host's consumers see the topic; each refuses on its own time.
      const dead = await deadLettered('the forged closure dead-lettered', forged.id, 4, [
        'county',
        'unit-001',
      ]);
      expect(new Set(dead.map((l) => l.code))).toEqual(new Set(['event.signature-invalid']));
      expect(dead[0]!.reason).toMatch(/of unit-001, but the event claims source county/);
      // Consumers on both the county's and the unit's host refused it.
      expect([...new Set(dead.map((l) => l.group.split('@')[1]))]).toEqual(
        expect.arrayContaining(['county', 'unit-001']),
      );
      expect(await snapshot()).toEqual(before);
    });

    it('dead-letters a unit closing the county’s item in its own name (signed, but not its to say)', async () => {
      const before = await snapshot();
      const inboxBefore = (await net.call<{ messages: unknown[] }>('county', 'GET', '/notifications/inbox'))
        .body.messages.length;
      const own = createEvent({
        type: 'tasks.item.closed',
        source: 'unit-001',
        to: ['county'],
        subject: ids.byCounty!,
        time: net.clock.now(),
        data: {
          itemId: ids.byCounty!,
          assigner: 'county',
          assignee: 'unit-001',
          closedAt: net.clock.now().toISOString(),
          comment: '自行办结',
          by: 'unit-001:办公室',
        },
      });
      await appendRaw(own.subject, signPayload(encodeEvent(own), trusted('unit-001')));
      const dead = await eventually('the county’s tasks and notifications consumers refuse it', () => {
        const found = lettersFor(own.id);
        const groups = found.map((l) => l.group);
        return groups.includes('tasks@county') && groups.includes('notifications@county') && found;
      });
      expect(new Set(dead.map((l) => l.code))).toEqual(new Set(['event.unauthorised']));
      expect(dead[0]!.reason).toMatch(/must come from the assigner \(county\), not unit-001/);
      // Every consumer refused it, the county's inbox (which it is addressed to) included.
      expect(dead.map((l) => l.group)).toEqual(
        expect.arrayContaining(['tasks@county', 'notifications@county']),
      );
      expect(await snapshot()).toEqual(before);
      expect(
        (await net.call<{ messages: unknown[] }>('county', 'GET', '/notifications/inbox')).body.messages
          .length,
      ).toBe(inboxBefore);
    });

    it('dead-letters a township’s replay of its old acceptance as event.replayed', async () => {
      const before = await snapshot();
      // The exact bytes the township published when it accepted the report (its audit trail has them).
      const township = new pg.Pool({ connectionString: net.nodes.get('township-heji')!.db.url, max: 1 });
      const { rows } = await township
        .query<{ event_id: string; payload: string }>(
          `SELECT event_id::text, payload FROM audit_record
            WHERE type IN ('tasks.item.reviewed', 'tasks.item.closed') AND payload LIKE $1 ORDER BY seq`,
          [`%${ids.byTownship}%`],
        )
        .finally(() => township.end());
      expect(rows.map((r) => (JSON.parse(r.payload) as { type: string }).type)).toEqual([
        'tasks.item.reviewed',
        'tasks.item.closed',
      ]);
      for (const r of rows) await appendRaw(ids.byTownship!, r.payload);
      for (const r of rows) {
        const dead = await deadLettered('the replay dead-lettered', r.event_id, 2);
        expect(new Set(dead.map((l) => l.code))).toEqual(new Set(['event.replayed']));
        expect(dead[0]!.reason).toMatch(/was applied already at .* is a replay/);
      }
      expect((await seen('heji-agri', ids.byTownship!)).item.status).toBe('reopened');
      expect(await snapshot()).toEqual(before);
    });

    it('dead-letters an event whose data was altered after it was signed', async () => {
      const before = await snapshot();
      // Signed by the county's real key: unaltered, this would close the item.
      const genuine = countyClosure(ids.byCounty!, '同意办结');
      const signed = JSON.parse(signPayload(encodeEvent(genuine), trusted('county'))) as {
        data: { comment: string };
      };
      signed.data.comment = '同意办结（已篡改）';
      await appendRaw(genuine.subject, JSON.stringify(signed));
      const dead = await deadLettered('the altered event dead-lettered', genuine.id, 2);
      expect(new Set(dead.map((l) => l.code))).toEqual(new Set(['event.signature-invalid']));
      expect(dead[0]!.reason).toMatch(/altered after signing/);
      expect(await snapshot()).toEqual(before);
    });

    it('dead-letters an event signed by a key nobody registered', async () => {
      const before = await snapshot();
      const stranger = generateNodeKey('county');
      const forged = countyClosure(ids.byCounty!, '未知密钥');
      await appendRaw(
        forged.subject,
        signPayload(encodeEvent(forged), signingKey(stranger.keyId, stranger.privateKey)),
      );
      const dead = await deadLettered('the unknown-key event dead-lettered', forged.id, 2);
      expect(new Set(dead.map((l) => l.code))).toEqual(new Set(['event.key-unknown']));
      expect(dead[0]!.reason).toContain(stranger.keyId);
      expect(await snapshot()).toEqual(before);
    });

    it('still applies the county’s genuine closure, and its audit trail verifies', async () => {
      await post('county', `/tasks/items/${ids.byCounty}/review`, {
        outcome: 'accepted',
        points: ALL_OK,
        comment: '审核通过',
      });
      await until('unit-001 sees the genuine closure', 'unit-001', ids.byCounty!, 'closed');
      for (const node of ['county', 'township-heji']) {
        const pool = new pg.Pool({ connectionString: net.nodes.get(node)!.db.url, max: 1 });
        const report = await verifyAuditTrail(pool).finally(() => pool.end());
        expect(report.ok).toBe(true);
        expect(report.nodes.find((n) => n.node === node)!.records).toBeGreaterThan(2);
      }
    });

    it('rotates the county’s key without downtime; the old key stops verifying after its grace period', async () => {
      const oldKey = trusted('county');
      // unit-001 is down while the county publishes under its old key, rotates, and publishes under the new one.
      const unitDb = await net.stop('unit-001');
      const underOld = (await post('county', '/tasks/items', {
        title: '轮换前下达',
        kind: 'annual-target',
        deadline: new Date(net.clock.now().getTime() + 20 * DAY).toISOString(),
        assignee: 'unit-001',
      })) as { item: Item };
      await net.nodes.get('county')!.running.delivery.flushed();
      // The admin route (`pnpm duban keys rotate` does the same against the node's database).
      const byStaff = await net.call(
        'county',
        'POST',
        '/keys/rotate',
        { graceDays: 1 },
        {
          person: '科员',
          roles: 'office-staff',
        },
      );
      expect(byStaff.status).toBe(403);
      const rotation = (await post('county', '/keys/rotate', { graceDays: 1 }, ADMIN)) as {
        previousKeyId: string;
        keyId: string;
      };
      expect(rotation.previousKeyId).toBe(oldKey.keyId);

      const underNew = (await post('county', '/tasks/items', {
        title: '轮换后下达',
        kind: 'annual-target',
        deadline: new Date(net.clock.now().getTime() + 20 * DAY).toISOString(),
        assignee: 'unit-001',
      })) as { item: Item };
      await net.nodes.get('county')!.running.delivery.flushed();
      await net.start('unit-001', unitDb);
      await until('unit-001 has the item signed with the old key', 'unit-001', underOld.item.id, 'assigned');
      await until('unit-001 has the item signed with the new key', 'unit-001', underNew.item.id, 'assigned');
      // The county's audit trail shows which key signed each assignment, and still verifies.
      const county = new pg.Pool({ connectionString: net.nodes.get('county')!.db.url, max: 1 });
      try {
        const { rows } = await county.query<{ payload: string }>(
          `SELECT payload FROM audit_record
            WHERE node = 'county' AND type = 'tasks.item.assigned' AND (payload LIKE $1 OR payload LIKE $2)
            ORDER BY seq`,
          [`%${underOld.item.id}%`, `%${underNew.item.id}%`],
        );
        expect(
          rows.map((r) => (JSON.parse(r.payload) as { signature: string }).signature.split(':')[1]),
        ).toEqual([rotation.previousKeyId, rotation.keyId]);
        expect((await verifyAuditTrail(county, { node: 'county' })).ok).toBe(true);
      } finally {
        await county.end();
      }

      // Past the grace period, the stolen old key signs nothing anyone accepts.
      net.clock.advance(DAY + 3600_000);
      const late = countyClosure(underOld.item.id, '旧密钥');
      await appendRaw(late.subject, signPayload(encodeEvent(late), oldKey));
      const dead = await deadLettered('the old-key event dead-lettered', late.id, 2);
      expect(new Set(dead.map((l) => l.code))).toEqual(new Set(['event.key-retired']));
      expect((await seen('unit-001', underOld.item.id)).item.status).toBe('assigned');
    }, 120_000);
  });
}
