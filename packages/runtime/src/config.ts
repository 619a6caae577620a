import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BrokerList, LogLevel, Port } from '@duban/kit';

const NodeList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[a-z][a-z0-9-]{1,62}$/, 'each node id is a lower-case slug')).min(1));

/** `1`/`true` or `0`/`false`, as an env var can say it. */
const Flag = z.enum(['1', 'true', '0', 'false']).transform((v) => v === '1' || v === 'true');

/** What every duban process reads from its environment (each service adds its own keys). */
const NodeProcessFields = z.object({
  /** PostgreSQL of this node; absent: an embedded PostgreSQL under DUBAN_DATA_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DUBAN_DATA_DIR: z.string().min(1).default('.duban'),
  /** Connections per pool (the ORM's and the raw one each); a process also keeps one per consumer. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Port of the embedded PostgreSQL (127.0.0.1 only); 0 picks a free one. */
  EMBEDDED_POSTGRES_PORT: Port.default(54329),
  /**
   * The county's organisation: an org.yaml (ADR 0024), resolved against the working directory;
   * absent: the demo county, examples/suixian/org.yaml.
   */
  DUBAN_ORG: z.string().min(1).optional(),
  /** The nodes this process serves; absent: the county office and everything below it (113 in the demo). */
  DUBAN_NODES: NodeList.optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: Port.default(3000),
  /** Kafka brokers; absent: the embedded log in this node's PostgreSQL. */
  KAFKA_BROKERS: BrokerList.optional(),
  /**
   * Where the embedded log lives when several node processes share one (no Kafka): default, the
   * node's own database.
   */
  EVENT_LOG_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** Partitions and replication of the topics this process creates when they are missing. */
  KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).default(1),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .optional(),
  /**
   * A secured cluster (ADR 0015): this host's principal. Its consumer groups are named
   * `<prefix><username>.<consumer>@<host>`, the names its ACLs allow. No "." in the name: the "."
   * ends it in the group prefix, so one principal's prefix never covers another's groups.
   */
  KAFKA_SASL_USERNAME: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,100}$/, 'letters, digits, "_" and "-" only (no ".")')
    .optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']).optional(),
  /** TLS to the brokers (SASL_SSL); KAFKA_SSL_CA_FILE: a PEM file of the CAs to trust instead of the system's. */
  KAFKA_SSL: Flag.optional(),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  /** Whether this process creates missing topics; default: yes, except as a SASL principal. */
  KAFKA_CREATE_TOPICS: Flag.optional(),
  /**
   * JSON trust store of the county's public node keys ({"version":1,"keys":{node:[spki base64]}}),
   * made by `pnpm duban keys init`; absent: only this process's own nodes are known (the embedded
   * default hosts every node, so that is every key).
   */
  DUBAN_TRUST_STORE: z.string().min(1).optional(),
  /** Directory of `<node>.pem` private keys to import for hosted nodes; absent: fresh keys. */
  DUBAN_NODE_KEYS: z.string().min(1).optional(),
  LOG_LEVEL: LogLevel,
  /**
   * HS256 key for access tokens (at least 32 characters). Absent: one generated on the first start
   * and kept in the host's database (auth_secret). Changing it makes clients refresh, not sign in.
   */
  DUBAN_JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** Access-token lifetime in seconds. */
  DUBAN_ACCESS_TOKEN_TTL: z.coerce.number().int().min(30).max(3600).default(900),
  /** Session lifetime in seconds: refresh tokens stop working after it (default 7 days). */
  DUBAN_SESSION_TTL: z.coerce
    .number()
    .int()
    .min(300)
    .max(90 * 24 * 3600)
    .default(7 * 24 * 3600),
  /** Sign-in attempts per client IP and login per minute. */
  DUBAN_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * Origins whose pages may call the API from a browser (the console), comma-separated, e.g.
   * https://duban.suixian.gov.cn. Absent: same-origin only.
   */
  DUBAN_CONSOLE_ORIGIN: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((u) => new URL(u).origin)))
    .optional(),
  /** Largest request body in bytes (413 above it). */
  DUBAN_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /**
   * Demo accounts (docs: README): `auto` creates them on the first start of the embedded demo
   * (no DATABASE_URL, no DUBAN_ORG: the demo county) when there is no account yet; `on` also with
   * DATABASE_URL or another county (for the nodes of the demo's ids it has).
   */
  DUBAN_DEMO_ACCOUNTS: z.enum(['auto', 'on', 'off']).default('auto'),
  /** When set, GET /metrics needs `Authorization: Bearer <this>`; absent, it is public like /healthz. */
  DUBAN_METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
});

// Half a secured configuration would fail later as a vague connection error: refuse it here.
export const NodeProcessConfig = NodeProcessFields.superRefine((c, ctx) => {
  const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  const sasl = c.KAFKA_SASL_USERNAME !== undefined || c.KAFKA_SASL_PASSWORD !== undefined;
  if (c.KAFKA_SASL_USERNAME !== undefined && c.KAFKA_SASL_PASSWORD === undefined)
    problem('KAFKA_SASL_PASSWORD', 'required with KAFKA_SASL_USERNAME');
  if (c.KAFKA_SASL_PASSWORD !== undefined && c.KAFKA_SASL_USERNAME === undefined)
    problem('KAFKA_SASL_USERNAME', 'required with KAFKA_SASL_PASSWORD');
  if (c.KAFKA_SASL_MECHANISM !== undefined && !sasl)
    problem('KAFKA_SASL_MECHANISM', 'needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  if (c.KAFKA_SSL === false && c.KAFKA_SSL_CA_FILE !== undefined)
    problem('KAFKA_SSL_CA_FILE', 'given while KAFKA_SSL is off');
  if (!c.KAFKA_BROKERS) {
    for (const key of [
      'KAFKA_SASL_USERNAME',
      'KAFKA_SASL_PASSWORD',
      'KAFKA_SASL_MECHANISM',
      'KAFKA_SSL',
      'KAFKA_SSL_CA_FILE',
      'KAFKA_CREATE_TOPICS',
    ] as const) {
      if (c[key] !== undefined)
        problem(key, 'set without KAFKA_BROKERS (the embedded log has no Kafka security)');
    }
  }
});
export type NodeProcessConfig = z.infer<typeof NodeProcessConfig>;

/** The Kafka client security of a process, from its config (ADR 0015). */
export function kafkaSecurity(config: NodeProcessConfig): {
  sasl?: { mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain'; username: string; password: string };
  ssl?: true | { ca: string };
  groupPrefix?: string;
  createTopics: boolean;
} {
  const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config;
  const sasl =
    username !== undefined && password !== undefined
      ? { mechanism: config.KAFKA_SASL_MECHANISM ?? ('scram-sha-512' as const), username, password }
      : undefined;
  const ssl = config.KAFKA_SSL_CA_FILE
    ? { ca: readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8') }
    : config.KAFKA_SSL
      ? (true as const)
      : undefined;
  return {
    ...(sasl ? { sasl, groupPrefix: `${sasl.username}.` } : {}),
    ...(ssl ? { ssl } : {}),
    createTopics: config.KAFKA_CREATE_TOPICS ?? !sasl,
  };
}
