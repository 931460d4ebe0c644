// A refusal by a rule of the domain. `code` is the stable snake_case code clients see;
// `kind` says which HTTP status family it maps to (the HTTP layer owns the numbers).
export type DomainErrorKind = 'conflict' | 'not_found' | 'unprocessable';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: string,
    message: string,
    readonly kind: DomainErrorKind = 'conflict',
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
