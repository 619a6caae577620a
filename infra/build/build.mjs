#!/usr/bin/env node
// The production build (ADR 0030): every process's entry point compiled to plain JavaScript in
// services/host/dist/, the workspace's own TypeScript bundled in, third-party packages left as
// imports for node_modules. `pnpm build` runs it; `pnpm deploy:prod DIR` then writes a folder
// with only the production dependencies, which the Dockerfile's last stage copies.
//
//   node infra/build/build.mjs   → services/host/dist/{host,tasks,reminders,scoring,notifications,duban}.mjs
//                                  and services/host/examples/ (a copy of examples/)
import { cpSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const hostDir = join(root, 'services/host');
const outdir = join(hostDir, 'dist');

/** Every workspace package by folder: its name, so a module's deployed path can be computed. */
const workspace = ['packages', 'services'].flatMap((parent) =>
  readdirSync(join(root, parent))
    .map((name) => join(root, parent, name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, name: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name })),
);

/**
 * Where a workspace source file sits in a deployed host (`pnpm deploy` of @duban/host): the host's
 * own files at the root, every other workspace package under node_modules/<name>/. In the repo
 * the same paths hold, since pnpm links node_modules/@duban/<x> in services/host to packages/<x>.
 */
function deployedPath(file) {
  if (file.startsWith(hostDir + sep)) return relative(hostDir, file);
  const pkg = workspace.find((p) => file.startsWith(p.dir + sep));
  if (!pkg) throw new Error(`${file} is in no workspace package`);
  return `node_modules/${pkg.name}/${relative(pkg.dir, file)}`;
}

// A bundle has one import.meta.url, but the code finds its files (migrations, the console's web
// folder and its browser libraries) relative to its own module. Each module's import.meta.url
// becomes the URL its source file has in the deployed tree, which holds those files beside it.
const moduleUrls = {
  name: 'duban-module-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const url = `new URL(${JSON.stringify(deployedPath(args.path).split(sep).join('/'))}, __dubanRoot).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

const entryPoints = {
  host: 'services/host/src/main.ts',
  tasks: 'services/tasks/src/main.ts',
  reminders: 'services/reminders/src/main.ts',
  scoring: 'services/scoring/src/main.ts',
  notifications: 'services/notifications/src/main.ts',
  analytics: 'packages/analytics/src/main.ts',
  duban: 'packages/runtime/src/bin/duban.ts',
};

rmSync(outdir, { recursive: true, force: true });
// The demo county's org.yaml, the default organisation, ships at the deployed host's root.
rmSync(join(hostDir, 'examples'), { recursive: true, force: true });
cpSync(join(root, 'examples'), join(hostDir, 'examples'), { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(Object.entries(entryPoints).map(([k, v]) => [k, join(root, v)])),
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: 'linked',
  // Third-party code stays in node_modules (installed by `pnpm deploy --prod`); only the
  // workspace's own TypeScript is compiled in.
  plugins: [
    moduleUrls,
    {
      name: 'external-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@duban/') || args.path.startsWith('node:') ? undefined : { external: true },
        );
      },
    },
  ],
  // Chunks beside the entry points: the banner's root is relative to every output file.
  chunkNames: 'chunk-[hash]',
  banner: {
    // dist/ sits at the root of the deployed host (and in services/host in the repo).
    js: "const __dubanRoot = new URL('..', import.meta.url);",
  },
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `build: ${Object.keys(entryPoints).length} entry points in ${relative(root, outdir)}/ (${(bytes / 2 ** 20).toFixed(1)} MiB with source maps)`,
);
