import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createFreshDatabase, createPrisma } from '@duban/db';
import type { FreshDatabase, PrismaClient } from '@duban/db';
import { demoCounty } from '@duban/org';
import { AuthService } from '../service';
import { runCli } from './app';

declare module 'vitest' {
  interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Runs `pnpm duban …` as an operator would: a child process reading the password from stdin. */
function cli(
  args: string[],
  env: Record<string, string>,
  stdin = '',
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

describe('the admin CLI', () => {
  const org = demoCounty();
  let db: FreshDatabase;
  let prisma: PrismaClient;
  let auth: AuthService;
  const lines: string[] = [];
  const run = (argv: string[], stdin = '') =>
    runCli(argv, {
      prisma,
      org,
      io: { readStdin: async () => stdin, out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`) },
    });

  beforeAll(async () => {
    db = await createFreshDatabase(inject('postgresAdminUrl'), 't_auth_cli');
    prisma = createPrisma(db.url, { pool: { max: 2 } });
    auth = new AuthService({ prisma, org, secret: new Uint8Array(32).fill(7) });
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('creates an account from a child process, the password read from stdin', async () => {
    const result = await cli(
      [
        'accounts',
        'create',
        '--node',
        'county',
        '--login',
        'zhang',
        '--name',
        '张三',
        '--roles',
        'office-staff,analyst',
        '--password-stdin',
      ],
      { DATABASE_URL: db.url },
      'a long enough password\n',
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('created zhang (张三) at county: office-staff, analyst');
    expect(result.out).not.toContain('password (shown once)');
    await expect(auth.login('zhang', 'a long enough password')).resolves.toMatchObject({
      person: { node: 'county', name: '张三', roles: ['office-staff', 'analyst'] },
    });
  });

  it('generates a password when none is given and prints it once; reset-password replaces it', async () => {
    lines.length = 0;
    expect(
      await run([
        'accounts',
        'create',
        '--node',
        'unit-001',
        '--login',
        'li',
        '--name',
        '李四',
        '--roles',
        'unit-head',
      ]),
    ).toBe(0);
    const first = /password \(shown once\): (\S+)/.exec(lines.join('\n'))![1]!;
    const session = await auth.login('li', first);
    lines.length = 0;
    expect(await run(['accounts', 'reset-password', '--login', 'li'])).toBe(0);
    const second = /password \(shown once\): (\S+)/.exec(lines.join('\n'))![1]!;
    expect(second).not.toBe(first);
    await expect(auth.login('li', first)).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
    await expect(auth.login('li', second)).resolves.toMatchObject({ tokenType: 'Bearer' });
    // The reset ended the session signed in with the old password.
    await expect(auth.authenticate(session.accessToken)).rejects.toMatchObject({
      code: 'auth.session_ended',
    });
  });

  it('disables and enables, lists, and refuses bad input with a reason', async () => {
    lines.length = 0;
    expect(await run(['accounts', 'disable', '--login', 'zhang'])).toBe(0);
    await expect(auth.login('zhang', 'a long enough password')).rejects.toMatchObject({
      code: 'auth.invalid_credentials',
    });
    expect(await run(['accounts', 'enable', '--login', 'zhang'])).toBe(0);
    await expect(auth.login('zhang', 'a long enough password')).resolves.toMatchObject({
      tokenType: 'Bearer',
    });
    const session = await auth.login('zhang', 'a long enough password');
    expect(await run(['accounts', 'set-roles', '--login', 'zhang', '--roles', 'office-staff,analyst'])).toBe(
      0,
    );
    await expect(auth.authenticate(session.accessToken)).rejects.toMatchObject({
      code: 'auth.session_ended',
    });
    lines.length = 0;
    expect(await run(['accounts', 'list', '--node', 'county'])).toBe(0);
    expect(lines).toEqual(['zhang\tcounty\t张三\toffice-staff,analyst']);
    lines.length = 0;
    expect(
      await run([
        'accounts',
        'create',
        '--node',
        'nowhere',
        '--login',
        'x1',
        '--name',
        'X',
        '--roles',
        'admin',
      ]),
    ).toBe(1);
    expect(
      await run([
        'accounts',
        'create',
        '--node',
        'county',
        '--login',
        'x2',
        '--name',
        'X',
        '--roles',
        'emperor',
      ]),
    ).toBe(1);
    expect(
      await run([
        'accounts',
        'create',
        '--node',
        'county',
        '--login',
        'zhang',
        '--name',
        'Y',
        '--roles',
        'admin',
      ]),
    ).toBe(1);
    expect(await run(['accounts', 'reset-password', '--login', 'zhang', '--password-stdin'], 'short\n')).toBe(
      1,
    );
    expect(await run(['accounts', 'frobnicate'])).toBe(2);
    expect(lines.filter((l) => l.startsWith('ERR'))).toHaveLength(5);
    expect(lines.join('\n')).toContain('account.unknown_node');
    expect(lines.join('\n')).toContain('account.exists');
  });
});
