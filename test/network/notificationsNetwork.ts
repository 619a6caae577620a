import { createLogger, VirtualClock } from '@duban/kit';
import type { Logger } from '@duban/kit';
import { startNodeProcess, NodeProcessConfig } from '@duban/runtime';
import type { ServiceModule } from '@duban/runtime';
import { allServices } from '@duban/host';
import { freshDatabase, freshTopicPrefix, testPostgres } from '@duban/testing';
import type { FreshDatabase } from '@duban/db';
import { demoCounty } from '@duban/org';
// test/ has no nodemailer or smtp-server of its own: the service's module and test helpers bring them.
import { notificationsServiceWith } from '../../services/notifications/src/module';
import type { NotificationsOptions } from '../../services/notifications/src/module';
import type { NetworkNode, Transport } from './harness';

/**
 * TestNetwork's twin for the notifications tests: the same real node processes on a shared log and
 * a virtual clock, but each node's notifications service is built with options the test chooses
 * (SMTP and SMS endpoints, a failpoint in the delivery worker).
 */
export class NotificationsNetwork {
  readonly clock: VirtualClock;
  readonly nodes = new Map<string, NetworkNode>();
  readonly logger: Logger;
  private logDb: FreshDatabase | undefined;
  private readonly prefix: string;

  constructor(
    readonly transport: Transport,
    readonly name: string,
    start: string,
  ) {
    this.clock = new VirtualClock(start);
    this.prefix = freshTopicPrefix(name);
    this.logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name });
  }

  async start(nodeId: string, options: NotificationsOptions, existing?: FreshDatabase): Promise<NetworkNode> {
    const db = existing ?? (await freshDatabase(testPostgres(), `${this.name}_${nodeId}`));
    if (this.transport.kind === 'embedded')
      this.logDb ??= await freshDatabase(testPostgres(), `${this.name}_log`);
    const config = NodeProcessConfig.parse({
      DATABASE_URL: db.url,
      DUBAN_NODES: nodeId,
      PORT: '0',
      DATABASE_POOL_SIZE: '2',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...(this.transport.kind === 'kafka'
        ? { KAFKA_BROKERS: this.transport.brokers.join(','), KAFKA_TOPIC_PREFIX: this.prefix }
        : { EVENT_LOG_DATABASE_URL: this.logDb!.url }),
    });
    const services: ServiceModule[] = allServices({ REMINDER_POLL_MS: 50 }).map((s) =>
      s.name === 'notifications' ? notificationsServiceWith(options) : s,
    );
    const running = await startNodeProcess({
      config,
      services,
      title: `duban ${nodeId}`,
      clock: this.clock,
      org: demoCounty(),
      logger: this.logger.child({ node: nodeId }),
    });
    const url = await running.app.listen({ host: '127.0.0.1', port: 0 });
    const node = { id: nodeId, url, running, db };
    this.nodes.set(nodeId, node);
    return node;
  }

  async stop(nodeId: string): Promise<FreshDatabase> {
    const node = this.nodes.get(nodeId);
    if (!node) throw new Error(`no node ${nodeId}`);
    this.nodes.delete(nodeId);
    await node.running.close();
    return node.db;
  }

  async call<T = Record<string, unknown>>(
    nodeId: string,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    as?: { person: string; roles: string },
  ): Promise<{ status: number; body: T }> {
    const response = await this.fetch(nodeId, method, path, body, as);
    return { status: response.status, body: (await response.json()) as T };
  }

  async fetch(
    nodeId: string,
    method: string,
    path: string,
    body?: unknown,
    as?: { person: string; roles: string },
  ): Promise<Response> {
    const node = this.nodes.get(nodeId);
    if (!node) throw new Error(`no node ${nodeId}`);
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (as) {
      headers['x-duban-person'] = encodeURIComponent(as.person);
      headers['x-duban-roles'] = as.roles;
    }
    return fetch(`${node.url}/nodes/${nodeId}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async close(): Promise<void> {
    for (const id of [...this.nodes.keys()]) {
      const db = await this.stop(id);
      await db.drop().catch(() => undefined);
    }
    await this.logDb?.drop().catch(() => undefined);
  }
}
