import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { createKeyBundle, signingKey } from '@duban/bus';
import type { SigningKey } from '@duban/bus';
import { createLogger, VirtualClock } from '@duban/kit';
import type { Logger } from '@duban/kit';
import { startNodeProcess, NodeProcessConfig } from '@duban/runtime';
import type { RunningNode, ServiceModule } from '@duban/runtime';
import { allServices } from '@duban/host';
import { TestSignIn } from '@duban/auth/testing';
import { describeWhenAvailable, freshDatabase, freshTopicPrefix, testPostgres } from '@duban/testing';
import type { FreshDatabase } from '@duban/db';
import { OrgTree, demoCounty, demoCountyNodes } from '@duban/org';

/** The demo county plus some units below townships (乡镇站所), for tests that need a deeper tree. */
export function deepCounty(extra: Array<{ id: string; name: string; parentId: string }>): OrgTree {
  return new OrgTree([...demoCountyNodes(), ...extra.map((n) => ({ ...n, kind: 'unit' as const }))]);
}

export type Transport =
  | {
      kind: 'kafka';
      brokers: string[];
      /** A secured cluster (ADR 0015): each node process's SCRAM principal. */
      principal?: (nodeId: string) => { username: string; password: string };
      /** The PEM certificate to trust on a SASL_SSL listener. */
      caFile?: string;
    }
  | { kind: 'embedded' };

export interface NetworkNode {
  id: string;
  url: string;
  running: RunningNode;
  db: FreshDatabase;
}

/**
 * A network of real node processes (in one test process): each node has its own database, its own
 * HTTP server on a real port, its own consumers; they share only the event log, as deployed nodes do.
 */
export class TestNetwork {
  readonly clock: VirtualClock;
  readonly nodes = new Map<string, NetworkNode>();
  private logDb: FreshDatabase | undefined;
  /** The Kafka topic prefix of this network (the admin step of a secured cluster needs it). */
  readonly prefix: string;
  readonly logger: Logger;
  /** Signs test people in for real (accounts in each node's database, /auth/login over HTTP). */
  readonly signIn = new TestSignIn((nodeId) => {
    const node = this.nodes.get(nodeId);
    if (!node) throw new Error(`no node ${nodeId}`);
    return { url: node.url, auth: node.running.ctx.auth };
  });
  /** The county's keys as a deployment distributes them: one trust store, each host its own private keys. */
  readonly keys: { dir: string; trustStore: string; privateDir: string };

  constructor(
    readonly transport: Transport,
    readonly name: string,
    start: string,
    readonly org: OrgTree = demoCounty(),
  ) {
    this.clock = new VirtualClock(start);
    this.prefix = freshTopicPrefix(name);
    this.logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name });
    const dir = mkdtempSync(join(tmpdir(), `duban-keys-${name}-`));
    this.keys = {
      dir,
      ...createKeyBundle(
        dir,
        org.all().map((n) => n.id),
      ),
    };
  }

  /** A node's signing key as its host holds it (for tests that play an attacker who stole it). */
  privateKeyOf(nodeId: string, keyId: string): SigningKey {
    return signingKey(keyId, readFileSync(join(this.keys.privateDir, `${nodeId}.pem`), 'utf8'));
  }

  private async sharedLogUrl(): Promise<string | undefined> {
    if (this.transport.kind === 'kafka') return undefined;
    this.logDb ??= await freshDatabase(testPostgres(), `${this.name}_log`);
    return this.logDb.url;
  }

  private config(nodeId: string, databaseUrl: string, logUrl: string | undefined) {
    return NodeProcessConfig.parse({
      DATABASE_URL: databaseUrl,
      DUBAN_NODES: nodeId,
      PORT: '0',
      // Several node processes share one test PostgreSQL (100 connections): keep each one small.
      DATABASE_POOL_SIZE: '2',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      DUBAN_TRUST_STORE: this.keys.trustStore,
      DUBAN_NODE_KEYS: this.keys.privateDir,
      ...(this.transport.kind === 'kafka'
        ? {
            KAFKA_BROKERS: this.transport.brokers.join(','),
            KAFKA_TOPIC_PREFIX: this.prefix,
            ...(this.transport.principal
              ? {
                  KAFKA_SASL_USERNAME: this.transport.principal(nodeId).username,
                  KAFKA_SASL_PASSWORD: this.transport.principal(nodeId).password,
                }
              : {}),
            ...(this.transport.caFile ? { KAFKA_SSL_CA_FILE: this.transport.caFile } : {}),
          }
        : { EVENT_LOG_DATABASE_URL: logUrl }),
    });
  }

  /**
   * Starts a node (or restarts it on its existing database), with all four services unless a test
   * brings its own (e.g. notifications wired to a test SMTP server).
   */
  async start(nodeId: string, existing?: FreshDatabase, services?: ServiceModule[]): Promise<NetworkNode> {
    const db = existing ?? (await freshDatabase(testPostgres(), `${this.name}_${nodeId}`));
    const running = await startNodeProcess({
      config: this.config(nodeId, db.url, await this.sharedLogUrl()),
      services: services ?? allServices({ REMINDER_POLL_MS: 50 }),
      title: `duban ${nodeId}`,
      clock: this.clock,
      org: this.org,
      logger: this.logger.child({ node: nodeId }),
    });
    const url = await running.app.listen({ host: '127.0.0.1', port: 0 });
    const node = { id: nodeId, url, running, db };
    this.nodes.set(nodeId, node);
    return node;
  }

  /** Stops a node's process; its database stays for a restart. */
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

  /** The raw response, for downloads (.docx, .xlsx). */
  async fetch(
    nodeId: string,
    method: string,
    path: string,
    body?: unknown,
    as?: { person: string; roles: string },
  ): Promise<Response> {
    const node = this.nodes.get(nodeId);
    if (!node) throw new Error(`no node ${nodeId}`);
    const headers: Record<string, string> = {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      // Without `as`: the node's operator holding every role.
      ...(await this.signIn.headers(nodeId, as)),
    };
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
    rmSync(this.keys.dir, { recursive: true, force: true });
  }
}

/**
 * Declares a whole-network suite on one transport. A transport that cannot be had is a failure
 * where it is required (CI) and a loud skip elsewhere, never a silent one.
 */
export function describeNetwork(
  title: string,
  transport: Transport | { unavailable: string },
  required: boolean,
  body: (transport: Transport) => void,
): void {
  if (!('unavailable' in transport)) {
    describe(`${title} on ${transport.kind}`, () => body(transport));
    return;
  }
  describeWhenAvailable(`${title} on kafka`, transport.unavailable, required, () => undefined);
}
