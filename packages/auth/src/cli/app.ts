import { parseArgs } from 'node:util';
import type { PrismaClient } from '@duban/db';
import { AppError, ROLES } from '@duban/kit';
import type { Role } from '@duban/kit';
import type { OrgTree } from '@duban/org';
import { AuthService, rotateSigningSecret } from '../service';

export const USAGE = `usage: pnpm duban <command>

  accounts create --node <node> --login <login> --name <name> --roles <role,...> [--password-stdin]
  accounts reset-password --login <login> [--password-stdin]
  accounts set-roles --login <login> --roles <role,...>
  accounts disable --login <login>
  accounts enable --login <login>
  accounts revoke-sessions --login <login>
  accounts list [--node <node>]
  secrets rotate-jwt

Without --password-stdin a password is generated and printed once.
Roles: ${ROLES.join(', ')}.
The database: DATABASE_URL, else the embedded one under DUBAN_DATA_DIR (default .duban).`;

export interface CliIo {
  /** All of standard input (for --password-stdin). */
  readStdin(): Promise<string>;
  out(line: string): void;
  err(line: string): void;
}

/**
 * The admin CLI's commands against one host database: the same AuthService the host's admin
 * routes use (main.ts resolves the database). Returns the exit code.
 */
export async function runCli(
  argv: readonly string[],
  deps: { prisma: PrismaClient; org: OrgTree; io: CliIo },
): Promise<number> {
  const { io } = deps;
  const [group, command, ...rest] = argv;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: rest,
      options: {
        node: { type: 'string' },
        login: { type: 'string' },
        name: { type: 'string' },
        roles: { type: 'string' },
        'password-stdin': { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  // The CLI runs as the host's operator: no session clock games, the system clock is right.
  const auth = new AuthService({ prisma: deps.prisma, org: deps.org, secret: new Uint8Array(32) });
  const need = (key: string): string => {
    const v = values[key];
    if (typeof v !== 'string' || !v.trim())
      throw new AppError('validation', 'cli.missing', `--${key} is required`);
    return v.trim();
  };
  const password = async (): Promise<string | undefined> => {
    if (!values['password-stdin']) return undefined;
    return (await io.readStdin()).replace(/\r?\n$/, '');
  };
  try {
    switch (`${group ?? ''} ${command ?? ''}`) {
      case 'accounts create': {
        const roles = need('roles')
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean) as Role[];
        const made = await auth.createAccount({
          node: need('node'),
          login: need('login'),
          name: need('name'),
          roles,
          password: await password(),
        });
        io.out(
          `created ${made.account.login} (${made.account.name}) at ${made.account.node}: ${made.account.roles.join(', ')}`,
        );
        if (made.password) io.out(`password (shown once): ${made.password}`);
        return 0;
      }
      case 'accounts reset-password': {
        const account = await auth.accountByLogin(need('login'));
        const reset = await auth.resetPassword(account.id, await password());
        io.out(`password of ${account.login} reset; its sessions have ended`);
        if (reset.password) io.out(`password (shown once): ${reset.password}`);
        return 0;
      }
      case 'accounts set-roles': {
        const account = await auth.accountByLogin(need('login'));
        const roles = need('roles')
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean) as Role[];
        const changed = await auth.setRoles(account.id, roles);
        io.out(`${changed.login} now holds ${changed.roles.join(', ')}; its sessions have ended`);
        return 0;
      }
      case 'accounts disable':
      case 'accounts enable': {
        const account = await auth.accountByLogin(need('login'));
        await auth.setDisabled(account.id, command === 'disable');
        io.out(`${account.login} ${command === 'disable' ? 'disabled; its sessions have ended' : 'enabled'}`);
        return 0;
      }
      case 'accounts revoke-sessions': {
        const account = await auth.accountByLogin(need('login'));
        io.out(`${await auth.revokeSessions(account.id, 'admin')} session(s) of ${account.login} ended`);
        return 0;
      }
      case 'accounts list': {
        const node = typeof values.node === 'string' ? values.node : undefined;
        const accounts = await auth.listAccounts(node ? [node] : deps.org.all().map((n) => n.id));
        for (const a of accounts)
          io.out(`${a.login}\t${a.node}\t${a.name}\t${a.roles.join(',')}${a.disabled ? '\tdisabled' : ''}`);
        return 0;
      }
      case 'secrets rotate-jwt': {
        await rotateSigningSecret(deps.prisma);
        io.out(
          'signing secret rotated: restart the host; clients refresh their access tokens (no one signs in again)',
        );
        return 0;
      }
      default:
        io.err(USAGE);
        return 2;
    }
  } catch (error) {
    if (error instanceof AppError) {
      io.err(`${error.code}: ${error.message}`);
      return 1;
    }
    const issues = (error as { issues?: Array<{ message: string; path: PropertyKey[] }> }).issues;
    if (Array.isArray(issues)) {
      io.err(issues.map((i) => i.message).join('; '));
      return 1;
    }
    throw error;
  }
}
