/** Who and what a command runs for; becomes every appended event's metadata. */
export interface CommandContext {
  tenant: string;
  /** API key id, OAuth client id, or `system:<job>` for side effects. */
  actor: string;
  correlationId: string;
  /** The event that led to this command (jobs), or null for a client request. */
  causationId: string | null;
  idempotencyKey?: string;
  /** RFC 3339; the only clock the domain ever sees. */
  now: string;
}
