import { describe, expect, it } from 'vitest';
import { isPublicPath } from '@duban/auth';
import { consoleFile } from './static';

describe('the console’s static files', () => {
  it('serves the page and its modules, and nothing outside web/', async () => {
    const index = await consoleFile('');
    expect(index?.type).toMatch(/^text\/html/);
    expect(index?.body.toString()).toContain('<script type="module" src="app.js">');
    expect((await consoleFile('app.js'))?.type).toMatch(/^text\/javascript/);
    expect(await consoleFile('../src/static.ts')).toBeNull();
    expect(await consoleFile('../../../package.json')).toBeNull();
    expect(await consoleFile('nothing-here.js')).toBeNull();
    expect(await consoleFile('vendor/unknown.mjs')).toBeNull();
  });

  it('serves the vendor modules with their bare specifiers made relative (no inline import map under the CSP)', async () => {
    const hooks = (await consoleFile('vendor/hooks.mjs'))!;
    expect(hooks.immutable).toBe(true);
    expect(hooks.body.toString()).toContain('from"./preact.mjs"');
    expect(hooks.body.toString()).not.toMatch(/from\s*"preact"/);
    for (const name of ['preact.mjs', 'htm.mjs', 'echarts.mjs'])
      expect((await consoleFile(`vendor/${name}`))?.body.length).toBeGreaterThan(1000);
  });

  it('is reachable without a token; the API is not', () => {
    for (const path of ['/', '/console', '/console/', '/console/vendor/preact.mjs'])
      expect(isPublicPath(path)).toBe(true);
    for (const path of ['/nodes', '/consolex', '/nodes/county/tasks/items', '/auth/me'])
      expect(isPublicPath(path)).toBe(false);
  });
});
