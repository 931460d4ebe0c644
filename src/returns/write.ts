// A command of the returns that touches several streams (the return, its order, inventory) is
// decided on all of them and appended as ONE multi-stream write, each stream at the revision it
// was decided on. A concurrent write to any of them (another return on the same order, an
// allocation on the inventory) fails the whole write; it is then decided again on the new states.
import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../../domain/shared/decider.ts';
import { currentVersion } from '../../domain/upcasters.ts';
import type { CommandContext } from '../commands/context.ts';
import { ContentionError } from '../commands/errors.ts';
import { eventIdSeed } from '../commands/legacy-event-ids.ts';
import {
  type EventStore,
  type NewEvent,
  type Position,
  type StreamWrite,
  WrongExpectedVersionError,
} from '../eventstore/port.ts';
import { derivedUuid } from '../ids.ts';
import type { Metrics } from '../observability/metrics.ts';

/** One stream's part of a decision: its version when read (0: no stream) and the new events. */
export interface DecidedPart {
  stream: string;
  version: number;
  events: readonly DomainEvent[];
}

const MAX_ATTEMPTS = 20;

/**
 * Runs `decide` (read the streams, decide, return the parts) and appends the parts with events in
 * one write. A refusal (DomainError) thrown by `decide` appends nothing. Under an Idempotency-Key
 * the event ids derive from it (as handleCommand's do), so a retried request finds them stored.
 */
export async function decideAndAppend(
  deps: { store: EventStore; metrics?: Metrics },
  ctx: CommandContext,
  commandType: string,
  decide: () => Promise<DecidedPart[]>,
): Promise<Map<string, Position>> {
  for (let attempt = 1; ; attempt++) {
    const parts = (await decide()).filter((p) => p.events.length > 0);
    if (parts.length === 0) return new Map();
    const writes: StreamWrite[] = parts.map((p) => ({
      streamName: p.stream,
      expectedRevision: p.version === 0 ? 'no_stream' : p.version - 1,
      events: p.events.map((e, i) => toNew(ctx, p.stream, commandType, e, i)),
    }));
    try {
      const results = await deps.store.appendToStreams(writes);
      for (const p of parts) for (const e of p.events) deps.metrics?.appends.inc({ type: e.type });
      return new Map(parts.map((p, i) => [p.stream, results[i]!.position]));
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError)) throw err;
      deps.metrics?.appendConflicts.inc();
      if (attempt >= MAX_ATTEMPTS) throw new ContentionError(`gave up on ${commandType} after ${attempt} conflicts`);
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
    }
  }
}

function toNew(ctx: CommandContext, stream: string, commandType: string, e: DomainEvent, i: number): NewEvent {
  const seed = ctx.idempotency?.seed;
  return {
    id: seed ? derivedUuid(eventIdSeed(seed, stream, commandType, i)) : randomUUID(),
    type: e.type,
    data: e.data,
    metadata: {
      tenant: ctx.tenant,
      actor: ctx.actor,
      correlationId: ctx.correlationId,
      causationId: ctx.causationId,
      ...(ctx.idempotencyKey !== undefined ? { idempotencyKey: ctx.idempotencyKey } : {}),
      schemaVersion: currentVersion(e.type),
    },
  };
}
