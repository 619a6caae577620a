/** A command line that cannot run as given: `pnpm duban` prints it with the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
