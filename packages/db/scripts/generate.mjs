#!/usr/bin/env node
// Generates the Prisma client (packages/db/src/generated/prisma) offline.
// Run from anywhere: `pnpm db:generate` at the root, or `node packages/db/scripts/generate.mjs`.
// Exits 0 without work when the generated client already matches the schema.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const dbDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = join(dbDir, 'prisma', 'schema.prisma');
const configPath = join(dbDir, 'prisma.config.ts');
const outputDir = join(dbDir, 'src', 'generated', 'prisma');
// Written after a successful run; inside the (gitignored) output so that deleting the output
// always forces a regeneration.
const stampPath = join(outputDir, '.schema-hash');

const require = createRequire(join(dbDir, 'package.json'));
const prismaPkgPath = require.resolve('prisma/package.json');
const prismaPkg = JSON.parse(readFileSync(prismaPkgPath, 'utf8'));
const prismaCli = join(
  dirname(prismaPkgPath),
  typeof prismaPkg.bin === 'string' ? prismaPkg.bin : prismaPkg.bin.prisma,
);

// A content hash instead of comparing mtimes: git checkouts and copies reset mtimes in both
// directions, a hash cannot go stale. It covers everything that shapes the generated code:
// the schema, the config, and the prisma version (an upgrade must regenerate).
const hash = createHash('sha256')
  .update(readFileSync(schemaPath))
  .update('\0')
  .update(readFileSync(configPath))
  .update('\0')
  .update(prismaPkg.version)
  .digest('hex');

if (
  existsSync(join(outputDir, 'client.ts')) &&
  existsSync(stampPath) &&
  readFileSync(stampPath, 'utf8').trim() === hash
) {
  process.exit(0);
}

const env = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
// Every prisma CLI command, even `generate` (which never uses it), first downloads the native
// schema engine unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file; offline that
// download fails and so would generation. The stand-in only prints why it cannot migrate.
// Only when unset: a developer who installed a real engine and points at it keeps it.
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = join(dbDir, 'scripts', 'no-schema-engine.sh');
}

const result = spawnSync(process.execPath, [prismaCli, 'generate', '--config', configPath], {
  cwd: dbDir,
  env,
  encoding: 'utf8',
});
if (result.error || result.status !== 0) {
  process.stderr.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  const why = result.error
    ? result.error.message
    : result.signal
      ? `signal ${result.signal}`
      : `exit code ${result.status}`;
  console.error(
    `\n@duban/db: prisma generate FAILED (${why}); the Prisma client in ${relative(process.cwd(), outputDir) || outputDir} is missing or stale.`,
  );
  process.exit(1);
}
if (!existsSync(join(outputDir, 'client.ts'))) {
  process.stderr.write(result.stdout ?? '');
  console.error(
    `\n@duban/db: prisma generate exited 0 but wrote no ${join(outputDir, 'client.ts')}; check the generator block in ${schemaPath}.`,
  );
  process.exit(1);
}
writeFileSync(stampPath, `${hash}\n`);
console.log(`@duban/db: Prisma client generated (prisma ${prismaPkg.version}).`);
