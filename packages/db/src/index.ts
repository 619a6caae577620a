// The generated client: PrismaClient, the Prisma namespace (errors, sql, TransactionClient, …)
// and one type per model. Run `pnpm db:generate` after changing prisma/schema.prisma.
export * from './generated/prisma/client.ts';
import type { Prisma } from './generated/prisma/client.ts';
/** What `prisma.$transaction(async (tx) => …)` hands its callback; repositories take this. */
export type TransactionClient = Prisma.TransactionClient;

export { createPool, createPrisma, type CreatePoolOptions, type CreatePrismaOptions } from './client.ts';
export {
  defaultMigrationsDir,
  migrate,
  MigrationError,
  migrationStatus,
  readMigrations,
  type MigrationStatus,
  type MigrateOptions,
  type MigrateResult,
  type Migration,
} from './migrate.ts';
export {
  DEFAULT_EMBEDDED_PORT,
  defaultDataDir,
  resolveDatabase,
  startEmbeddedPostgres,
  type EmbeddedPostgresOptions,
  type ResolveDatabaseOptions,
  type ResolvedDatabase,
  type RunningPostgres,
} from './embedded.ts';
export { createFreshDatabase, type FreshDatabase } from './testing.ts';
export { readReleases, releasedMigrationNames, type Release } from './released.ts';
export {
  BACKUP_FORMAT,
  BackupError,
  backupDatabase,
  dubanVersion,
  readBackupManifest,
  restoreDatabase,
  type BackupManifest,
  type BackupResult,
  type RestoreOptions,
  type RestoreResult,
} from './backup.ts';
