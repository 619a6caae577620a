#!/usr/bin/env node
// Removes from a deployed host (`pnpm deploy:prod DIR`, hoisted node_modules) every package that
// no production dependency needs. pnpm's deploy keeps the optional peers the workspace resolved:
// @prisma/client's optional peers are the prisma CLI and typescript, which bring Prisma Studio,
// effect, react-dom and PGlite: some 200 MB of development tooling a running host never loads.
//
//   node infra/build/prune.mjs DIR
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? '');
if (!process.argv[2] || !existsSync(join(dir, 'node_modules')))
  throw new Error('usage: prune.mjs DIR (a folder written by pnpm deploy:prod)');

const manifest = (pkgDir) => JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

/** Node's lookup: the nearest node_modules/<name> at or above `from`. */
function locate(name, from) {
  for (let at = from; at.startsWith(dir); at = dirname(at)) {
    const candidate = join(at, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (at === dir) break;
  }
  return undefined;
}

const needed = new Set();
const visit = (pkgDir) => {
  if (needed.has(pkgDir)) return;
  needed.add(pkgDir);
  const m = manifest(pkgDir);
  const optionalPeers = new Set(
    Object.entries(m.peerDependenciesMeta ?? {})
      .filter(([, meta]) => meta?.optional)
      .map(([name]) => name),
  );
  const names = [
    ...Object.keys(m.dependencies ?? {}),
    ...Object.keys(m.optionalDependencies ?? {}),
    ...Object.keys(m.peerDependencies ?? {}).filter((name) => !optionalPeers.has(name)),
  ];
  for (const name of names) {
    const found = locate(name, pkgDir);
    // A missing optional dependency (another platform's binary) is no error.
    if (found) visit(found);
  }
};
visit(dir);

/** Every installed package folder, nested ones included. */
function* installed(modules) {
  if (!existsSync(modules)) return;
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    const path = join(modules, entry);
    if (!statSync(path).isDirectory()) continue;
    if (entry.startsWith('@')) {
      for (const scoped of readdirSync(path)) yield* packageAt(join(path, scoped));
    } else yield* packageAt(path);
  }
}
function* packageAt(path) {
  if (existsSync(join(path, 'package.json'))) yield path;
  yield* installed(join(path, 'node_modules'));
}

let removed = 0;
const names = [];
for (const pkgDir of [...installed(join(dir, 'node_modules'))]) {
  if (needed.has(pkgDir) || !existsSync(pkgDir)) continue;
  rmSync(pkgDir, { recursive: true, force: true });
  removed++;
  names.push(relative(join(dir, 'node_modules'), pkgDir));
}
rmSync(join(dir, 'node_modules', '.bin'), { recursive: true, force: true });
console.log(
  `prune: kept ${needed.size - 1} packages, removed ${removed}${removed ? `: ${names.slice(0, 12).join(', ')}${removed > 12 ? ', …' : ''}` : ''}`,
);
