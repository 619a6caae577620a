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

/** What every duban process reads from its environment (each service adds its own keys). */
export const NodeProcessConfig = z.object({
  /** PostgreSQL of this node; absent: an embedded PostgreSQL under DUBAN_DATA_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DUBAN_DATA_DIR: z.string().min(1).default('.duban'),
  /** Connections per pool (the ORM's and the raw one each); a process also keeps one per consumer. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Port of the embedded PostgreSQL (127.0.0.1 only); 0 picks a free one. */
  EMBEDDED_POSTGRES_PORT: Port.default(54329),
  /** The nodes this process serves; absent: the whole demo county (113 nodes). */
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
   * JSON trust store of the county's public node keys ({"version":1,"keys":{node:[spki base64]}}),
   * made by `pnpm duban keys init`; absent: only this process's own nodes are known (the embedded
   * default hosts every node, so that is every key).
   */
  DUBAN_TRUST_STORE: z.string().min(1).optional(),
  /** Directory of `<node>.pem` private keys to import for hosted nodes; absent: fresh keys. */
  DUBAN_NODE_KEYS: z.string().min(1).optional(),
  LOG_LEVEL: LogLevel,
});
export type NodeProcessConfig = z.infer<typeof NodeProcessConfig>;
