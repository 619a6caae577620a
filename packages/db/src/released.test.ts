import { describe, expect, it } from 'vitest';
import { checksumMatches, readMigrations } from './migrate.ts';
import { readReleases } from './released.ts';

describe('released migrations (migrations/released.json, ADR 0022)', () => {
  it('are all still in the folder, byte for byte: a shipped migration is never edited or regenerated', async () => {
    const releases = await readReleases();
    expect(releases.map((r) => r.version)).toContain('0.1.0');
    const onDisk = new Map((await readMigrations()).map((m) => [m.name, m]));
    const broken: string[] = [];
    for (const release of releases) {
      for (const { name, sha256 } of release.migrations) {
        const migration = onDisk.get(name);
        if (!migration) broken.push(`${release.version}: ${name} is missing`);
        else if (!checksumMatches(migration.sql, sha256))
          broken.push(
            `${release.version}: ${name} was changed (restore it; put the change in a new migration)`,
          );
      }
    }
    expect(broken).toEqual([]);
  });

  it('each release holds the previous one’s migrations, and unreleased migrations sort after them', async () => {
    const releases = await readReleases();
    for (let i = 1; i < releases.length; i++) {
      const before = releases[i - 1]!.migrations.map((m) => m.name);
      const names = new Set(releases[i]!.migrations.map((m) => m.name));
      expect(before.filter((n) => !names.has(n))).toEqual([]);
    }
    const released = new Set(releases.flatMap((r) => r.migrations.map((m) => m.name)));
    const last = [...released].sort().at(-1)!;
    const stragglers = (await readMigrations())
      .map((m) => m.name)
      .filter((n) => !released.has(n) && n < last);
    // A new migration named before a released one would be applied out of order on an upgraded node.
    expect(stragglers).toEqual([]);
  });
});
