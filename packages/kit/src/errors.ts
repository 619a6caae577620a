/** The closed set of things that can go wrong, each with one HTTP status (mapped in httpStatusOf). */
export type AppErrorKind =
  | 'validation' // the input is malformed or fails a rule about itself
  | 'unprocessable' // well-formed, but refers to something that does not fit (unknown unit, past deadline)
  | 'unauthenticated' // no valid bearer token (missing, expired, revoked session)
  | 'forbidden' // the caller's node or role may not do this
  | 'not_found'
  | 'conflict' // the item is not in a state that allows this transition
  | 'too_many_requests' // rate-limited (sign-in attempts)
  | 'unavailable'
  | 'internal';

export interface FieldIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly kind: AppErrorKind,
    /** Machine-readable, stable: clients switch on it (e.g. `item.illegal_transition`). */
    readonly code: string,
    message: string,
    readonly details: { issues?: FieldIssue[]; [key: string]: unknown } = {},
  ) {
    super(message);
  }
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

export function httpStatusOf(kind: AppErrorKind): number {
  switch (kind) {
    case 'validation':
      return 400;
    case 'unprocessable':
      return 422;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'too_many_requests':
      return 429;
    case 'unavailable':
      return 503;
    case 'internal':
      return 500;
    default:
      return assertNever(kind, 'error kind');
  }
}

/** Turns zod issues into the field list an error body carries. */
export function fieldIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  prefix = '',
): FieldIssue[] {
  return issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }));
}
