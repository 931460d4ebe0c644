/** If-Match named a version the resource no longer (or never) had; or `*` and there is no resource. */
export class VersionMismatchError extends Error {
  override readonly name = 'VersionMismatchError';
  readonly expected: number | '*';
  readonly actual: number;

  constructor(expected: number | '*', actual: number) {
    super(
      expected === '*'
        ? 'the resource does not exist (If-Match: *)'
        : `the resource is at version ${actual}, not ${expected}`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** Gave up after repeated concurrency conflicts (a very hot stream). */
export class ContentionError extends Error {
  override readonly name = 'ContentionError';
}
