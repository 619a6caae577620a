import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { eventually, kafkaAdmin, kafkaRequired, testKafkaSasl } from '@duban/testing';
import { TestNetwork, describeNetwork } from './harness';

type Item = { id: string; status: string; assignee: string };

const kafka = testKafkaSasl();
const caFile = 'caFile' in kafka ? kafka.caFile : undefined;
const HOUR = 3600_000;

/**
 * Real node processes on the SCRAM listener of a broker with ACLs (ADR 0015), configured as an
 * operator would (KAFKA_SASL_USERNAME/PASSWORD): topics and grants come from the admin step, the
 * nodes create nothing, and their groups carry their principal.
 */
describeNetwork(
  'nodes as SASL/SCRAM principals with ACLs',
  'brokers' in kafka ? { kind: 'kafka', brokers: kafka.brokers } : kafka,
  kafkaRequired(),
  (transport) => {
    const nodes = ['county', 'unit-001'];
    // Principals are named after the nodes; a shared broker keeps users, so fresh passwords.
    const passwords = new Map(nodes.map((id) => [id, randomBytes(12).toString('hex')]));
    const net = new TestNetwork(
      {
        ...(transport as { kind: 'kafka'; brokers: string[] }),
        principal: (id) => ({ username: id, password: passwords.get(id)! }),
        ...(caFile ? { caFile } : {}),
      },
      'net_sasl',
      '2026-03-02T01:00:00Z',
    );
    const brokers = (transport as { brokers: string[] }).brokers;

    beforeAll(async () => {
      await kafkaAdmin(
        { brokers, caFile },
        ...nodes.flatMap((id) => ['user', `${id}:${passwords.get(id)!}`]),
        ...['topics', net.prefix],
        ...nodes.flatMap((id) => ['node', id, net.prefix]),
      );
      for (const id of nodes) await net.start(id);
    });
    afterAll(() => net.close());

    it('an assignment travels from the county to the unit, under their own groups', async () => {
      const deadline = new Date(net.clock.now().getTime() + 48 * HOUR).toISOString();
      const a = await net.call<{ item: Item }>('county', 'POST', '/tasks/items', {
        title: '推进产业集聚区标准化厂房建设',
        kind: 'annual-target',
        deadline,
        assignee: 'unit-001',
      });
      expect(a.status).toBe(201);
      const received = await eventually('the item in unit-001’s ledger', async () => {
        const r = await net.call<{ items: Item[] }>('unit-001', 'GET', '/tasks/items');
        return r.body.items.find((i) => i.id === a.body.item.id);
      });
      expect(received).toMatchObject({ status: 'assigned', assignee: 'unit-001' });

      // The unit's consumers joined groups under its principal's prefix, the only ones it may use.
      const admin = new Kafka({
        brokers,
        logLevel: logLevel.NOTHING,
        ...(caFile ? { ssl: { ca: readFileSync(caFile, 'utf8') } } : {}),
        sasl: {
          mechanism: 'scram-sha-512',
          username: process.env.KAFKA_ADMIN_USERNAME ?? 'admin',
          password: process.env.KAFKA_ADMIN_PASSWORD ?? 'admin-secret',
        },
      }).admin();
      await admin.connect();
      try {
        const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
        expect(groups).toContain(`${net.prefix}unit-001.tasks@unit-001`);
        expect(groups).toContain(`${net.prefix}county.tasks@county`);
      } finally {
        await admin.disconnect();
      }
    });
  },
);
