import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Vitest 5's reporter calls Map.groupBy (Node 21+) when it prints failures; on Node 20 it would
// crash instead of showing them. Node 20 is still a supported runtime here, so fill it in.
if (typeof (Map as { groupBy?: unknown }).groupBy !== 'function') {
  Object.defineProperty(Map, 'groupBy', {
    value<K, V>(items: Iterable<V>, key: (item: V, index: number) => K): Map<K, V[]> {
      const groups = new Map<K, V[]>();
      let index = 0;
      for (const item of items) {
        const k = key(item, index++);
        const group = groups.get(k);
        if (group) group.push(item);
        else groups.set(k, [item]);
      }
      return groups;
    },
  });
}

// One project per workspace package, named after its folder (`vitest run --project db`), and
// `network` for the cross-service tests in test/. Test files sit next to the code: *.test.ts.
// Paths relative to this file: package scripts run vitest from their own folder (--root ../..).
const repo = fileURLToPath(new URL('.', import.meta.url));
const packageDirs = ['packages', 'services'].flatMap((parent) =>
  readdirSync(join(repo, parent))
    .map((name) => `${parent}/${name}`)
    .filter((dir) => existsSync(join(repo, dir, 'package.json'))),
);

export default defineConfig({
  test: {
    globalSetup: ['packages/testing/src/globalSetup.ts'],
    // CI reads the counts from a JSON report (VITEST_JSON) to print one plain closing line.
    reporters: process.env.VITEST_JSON ? ['default', 'json'] : ['default'],
    ...(process.env.VITEST_JSON ? { outputFile: { json: process.env.VITEST_JSON } } : {}),
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two cores: integration files each start consumers and pools; too many at once only thrash.
    maxWorkers: 2,
    projects: [
      ...packageDirs.map((dir) => ({
        extends: true as const,
        test: { name: dir.split('/')[1], include: [`${dir}/**/*.test.ts`] },
      })),
      {
        extends: true as const,
        // Whole-network files each start several node processes on one PostgreSQL: one at a time.
        test: { name: 'network', include: ['test/**/*.test.ts'], fileParallelism: false },
      },
    ],
  },
});
