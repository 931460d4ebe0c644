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
  readonly errors: QueryFieldError[];

  constructor(errors: QueryFieldError[], message = 'invalid query') {
    super(message);
    this.errors = errors;
  }
}

/** The thing asked for does not exist, or did not exist at that point in time (→ 404 `<noun>_not_found`). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  readonly noun: string;

  constructor(
    /** `order`, `customer`, …: the code is `<noun>_not_found`. */
    noun: string,
    what: string,
  ) {
    super(`${what} was not found`);
    this.noun = noun;
  }
}

export const invalidQuery = (path: string, message: string, detail?: string) =>
  new InvalidQueryError([{ path, message }], detail);
