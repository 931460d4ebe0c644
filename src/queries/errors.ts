// Errors a read raises (a bad cursor, an impossible filter, nothing at that point in time). They
// carry no HTTP status: the edge maps them to problem+json in one place.

export interface QueryFieldError {
  /** Where the bad value was, e.g. `query:/cursor`. */
  path: string;
  message: string;
}

/** The read cannot be answered as asked (→ 400 validation_failed). */
export class InvalidQueryError extends Error {
  override readonly name = 'InvalidQueryError';
  constructor(
    readonly errors: QueryFieldError[],
    message = 'invalid query',
  ) {
    super(message);
  }
}

/** The thing asked for does not exist, or did not exist at that point in time (→ 404 `<noun>_not_found`). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(
    /** `order`, `customer`, …: the code is `<noun>_not_found`. */
    readonly noun: string,
    what: string,
  ) {
    super(`${what} was not found`);
  }
}

export const invalidQuery = (path: string, message: string, detail?: string) =>
  new InvalidQueryError([{ path, message }], detail);
