import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultMigrationsDir } from './migrate.ts';

/** One published version and the migrations its schema consists of (ADR 0022). */
export interface Release {
  version: string;
  date: string;
  /** The commit the release was cut from. */
  commit: string;
  /** Every migration of the release (those of earlier releases included), sha256 of migration.sql. */
  migrations: Array<{ name: string; sha256: string }>;
}

/**
 * `migrations/released.json`: the migrations that have shipped. They are immutable: a test fails
 * when one's checksum changes, and `migration:new` refuses to write over one.
 */
export async function readReleases(migrationsDir = defaultMigrationsDir): Promise<Release[]> {
  let text: string;
  try {
    text = await readFile(join(migrationsDir, 'released.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return (JSON.parse(text) as { releases: Release[] }).releases;
}

/** The names of every migration some release shipped. */
export async function releasedMigrationNames(migrationsDir = defaultMigrationsDir): Promise<Set<string>> {
  return new Set((await readReleases(migrationsDir)).flatMap((r) => r.migrations.map((m) => m.name)));
}
