import { createPool } from '@duban/db';
import { EmbeddedEventLog } from './embeddedLog';
import { describeEventLogContract, logger } from './testing/contract';

function viaPort(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

describeEventLogContract(
  {
    name: 'embedded',
    unavailable: () => undefined,
    scope: (name) => name,
    create: (db) => new EmbeddedEventLog({ pool: db.pool, url: db.url, logger, pollMs: 500 }),
    createVia: (db, _scope, port) => {
      const url = viaPort(db.url, port);
      return new EmbeddedEventLog({
        pool: createPool(url, { max: 2, connectionTimeoutMillis: 1000 }),
        url,
        logger,
        pollMs: 500,
      });
    },
    upstream: (db) => {
      const u = new URL(db.url);
      return { host: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname, port: Number(u.port || 5432) };
    },
    childEnv: () => ({ CRASH_TRANSPORT: 'embedded' }),
  },
  { required: true },
);
