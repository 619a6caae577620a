export const SEND_TIMEOUT_MS = 30_000;

/** A failure the receiver will not get over by retrying (bad address, 4xx other than 408/429). */
export class PermanentFailure extends Error {
  override readonly name = 'PermanentFailure';
}

export function throwForStatus(who: string, status: number): never {
  const retryable = status >= 500 || status === 408 || status === 429;
  const message = `${who} answered HTTP ${status}`;
  throw retryable ? new Error(message) : new PermanentFailure(message);
}
