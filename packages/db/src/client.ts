import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';

export interface CreatePrismaOptions {
  /** pg pool settings for the adapter's own pool (max connections, timeouts, …). */
  pool?: Omit<pg.PoolConfig, 'connectionString'>;
  log?: ConstructorParameters<typeof PrismaClient>[0]['log'];
}

/** A PrismaClient over the pg driver adapter (Prisma 7's Rust-free client). Call `$disconnect()` when done. */
export function createPrisma(url: string, options: CreatePrismaOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ ...options.pool, connectionString: url });
  return new PrismaClient({ adapter, ...(options.log ? { log: options.log } : {}) });
}

export interface CreatePoolOptions extends Omit<pg.PoolConfig, 'connectionString'> {
  /** Errors of idle connections (server restart, network loss). Default: ignored. */
  onIdleError?: (error: Error) => void;
}

/** A pg Pool for raw SQL. Call `end()` when done. */
export function createPool(url: string, options: CreatePoolOptions = {}): pg.Pool {
  const { onIdleError, ...config } = options;
  const pool = new pg.Pool({ ...config, connectionString: url });
  // Without a listener, an idle connection dropped by the server (e.g. the embedded Postgres
  // stopping) is an unhandled 'error' event and kills the process. The pool has already
  // discarded that connection; the next checkout opens a new one.
  pool.on('error', onIdleError ?? (() => {}));
  // A checked-out connection that dies between queries (a server restart in the middle of a
  // relay batch) emits 'error' on the client, which would also kill the process; the failure
  // already reaches the caller through the rejected query, so the event itself is dropped.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}
