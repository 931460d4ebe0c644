// A refusal by a rule of the domain. `code` is the stable snake_case code clients see;
// `kind` says which HTTP status family it maps to (the HTTP layer owns the numbers).
export type DomainErrorKind = 'conflict' | 'not_found' | 'unprocessable';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: string;
  readonly kind: DomainErrorKind;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, kind: DomainErrorKind = 'conflict', details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.kind = kind;
    this.details = details;
  }
}
