import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the console is served: `/` redirects here. */
export const CONSOLE_PREFIX = '/console/';

const WEB = fileURLToPath(new URL('../web/', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));

/**
 * A browser library's folder, found as Node finds packages: the nearest node_modules/<name> above
 * this module. In the repo pnpm links it into this package's own node_modules; in a deployed host
 * (hoisted) it sits at the top. By folder, not require.resolve: htm exports no package.json.
 */
function packageDir(name: string): string {
  for (let dir = HERE; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`the console's ${name} is not installed`);
  }
}

/**
 * The browser libraries, served from node_modules under stable names (ADR 0017): no CDN, no
 * bundler. Bare specifiers inside them are rewritten to these URLs, since the strict CSP forbids
 * an inline import map.
 */
const VENDOR: Record<string, () => string> = {
  'preact.mjs': () => join(packageDir('preact'), 'dist/preact.mjs'),
  'hooks.mjs': () => join(packageDir('preact'), 'hooks/dist/hooks.mjs'),
  'htm.mjs': () => join(packageDir('htm'), 'dist/htm.mjs'),
  'echarts.mjs': () => join(packageDir('echarts'), 'dist/echarts.esm.min.mjs'),
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
};

export interface StaticFile {
  body: Buffer;
  type: string;
  /** Vendor files never change under one install: cache them; the app's own files revalidate. */
  immutable: boolean;
  /** Of the app's own files: size and modification time, for If-None-Match. */
  etag?: string;
}

const cache = new Map<string, StaticFile>();

function rewriteSpecifiers(source: string): string {
  return source
    .replace(/from\s*"preact"/g, 'from"./preact.mjs"')
    .replace(/from\s*"preact\/hooks"/g, 'from"./hooks.mjs"');
}

/**
 * A file of the console by its path below the prefix, or null (404). Vendor files are cached in
 * memory; the app's own files are read again when they changed (edit, reload: no build step).
 */
export async function consoleFile(path: string): Promise<StaticFile | null> {
  const key = path === '' ? 'index.html' : path;
  if (key.startsWith('vendor/')) {
    const hit = cache.get(key);
    if (hit) return hit;
    const resolve = VENDOR[key.slice('vendor/'.length)];
    if (!resolve) return null;
    const source = await readFile(resolve(), 'utf8');
    const file = { body: Buffer.from(rewriteSpecifiers(source)), type: TYPES['.mjs']!, immutable: true };
    cache.set(key, file);
    return file;
  }
  const full = normalize(join(WEB, key));
  if (!full.startsWith(WEB.endsWith(sep) ? WEB : WEB + sep)) return null;
  const type = TYPES[extname(full)];
  if (!type) return null;
  try {
    const info = await stat(full);
    const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
    const hit = cache.get(key);
    if (hit?.etag === etag) return hit;
    const file = { body: await readFile(full), type, immutable: false, etag };
    cache.set(key, file);
    return file;
  } catch {
    return null;
  }
}
