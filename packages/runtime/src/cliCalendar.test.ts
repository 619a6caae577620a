import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli';

const ICS = fileURLToPath(new URL('../../calendar/fixtures/made-up-2027.ics', import.meta.url));

describe('pnpm duban calendar import', () => {
  const seen: Array<{ url: string; auth: string; ics: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const ics = (JSON.parse(body) as { ics: string }).ics;
      seen.push({ url: req.url ?? '', auth: req.headers.authorization ?? '', ics });
      const ok = ics.includes('BEGIN:VEVENT');
      res.writeHead(ok ? 201 : 422, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          ok
            ? { coveredYears: [2026, 2027], amendments: [{ id: 'ics-2027-x', coversYear: 2027, days: 31 }] }
            : { error: { code: 'calendar.bad_ics', message: 'line 1: …' } },
        ),
      );
    });
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the file to the county office’s import route as the admin', async () => {
    const lines: string[] = [];
    const code = await runCli(['calendar', 'import', ICS], (l) => lines.push(l), {
      DUBAN_URL: url,
      DUBAN_TOKEN: 'secret',
    });
    expect(code).toBe(0);
    expect(seen[0]).toMatchObject({ url: '/nodes/county/reminders/calendar/import', auth: 'Bearer secret' });
    expect(seen[0]!.ics).toContain('SUMMARY:春节(休)');
    expect(lines).toEqual([
      '2027: 31 days (ics-2027-x)',
      'covered through 2027; provisional deadlines are re-planned',
    ]);
  });

  it('needs a token and says why a file is refused', async () => {
    await expect(runCli(['calendar', 'import', ICS], () => undefined, { DUBAN_URL: url })).rejects.toThrow(
      /DUBAN_TOKEN/,
    );
    const lines: string[] = [];
    const file = fileURLToPath(new URL('../package.json', import.meta.url)); // not an .ics
    expect(
      await runCli(['calendar', 'import', file], (l) => lines.push(l), { DUBAN_URL: url, DUBAN_TOKEN: 't' }),
    ).toBe(1);
    expect(lines[0]).toMatch(/^import refused \(422 calendar.bad_ics\)/);
  });
});
