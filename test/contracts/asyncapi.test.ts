import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { ALL_TOPICS, CATALOGUE, catalogueAsyncApi } from '@duban/events';
import { describe, expect, it } from 'vitest';

const committed = new URL('../../docs/catalogue/asyncapi.json', import.meta.url);
const release = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('the AsyncAPI document (docs/catalogue/asyncapi.json)', () => {
  it('is current: run `pnpm events:export` after changing the catalogue', () => {
    expect(JSON.parse(readFileSync(committed, 'utf8'))).toEqual(catalogueAsyncApi({ version: release }));
  });

  it('parses with @asyncapi/parser with no errors and no warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(committed, 'utf8'));
    // Severity 0 is an error, 1 a warning; 2 and 3 (info, hint) are style remarks.
    const problems = diagnostics
      .filter((d) => d.severity <= 1)
      .map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(document).toBeDefined();
  });

  it('has a channel for every topic and a message for every (type, version)', async () => {
    const { document } = await new Parser().parse(readFileSync(committed, 'utf8'));
    if (!document) throw new Error('the document did not parse');
    const addresses = document
      .channels()
      .all()
      .map((c) => c.address());
    expect(addresses.sort()).toEqual([...ALL_TOPICS].sort());
    const names = document
      .components()
      .messages()
      .all()
      .map((m) => `${m.name()}@${m.payload()?.properties()?.['version']?.const() as number}`);
    for (const def of CATALOGUE) expect(names).toContain(`${def.type}@${def.version}`);
  });
});
