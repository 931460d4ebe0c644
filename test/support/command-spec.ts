// given / when / then for command handlers and process managers, on the in-memory event store
// (after emmett's DeciderSpecification and its in-memory API specs):
//   given: events already in streams (`on(stream, ...events)`), or history made by real commands (`and`);
//   when:  the real handler, called with real deps (MemoryEventStore, prom-client metrics) and a context;
//   then:  the events the `when` appended, per stream (type and data; ids and metadata ignored),
//          or `thenRefuses(code)`: a DomainError with that code, and nothing appended.
// No Postgres, no Redis, no network: a spec runs in a millisecond or two.
// End every spec with then / thenNothingHappens / thenRefuses / thenFails: the `when` part has a
// `then` method (as emmett's specs do), so awaiting it on its own does not run the assertions.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { DomainEvent } from '../../domain/shared/decider.ts';
import { DomainError } from '../../domain/shared/errors.ts';
import { currentVersion } from '../../domain/upcasters.ts';
import type { CommandContext } from '../../src/commands/context.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/memory-event-store.ts';
import { tenantOfStream, type RecordedEvent } from '../../src/eventstore/port.ts';
import { eventLogLocations, type StockLocations } from '../../src/locations/stock-locations.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';

export const TENANT = 'tenant-a';
export const OTHER_TENANT = 'tenant-b';
/** The time every command of a spec arrives with (and the store's clock). */
export const NOW = '2026-11-28T10:00:00.000Z';
export const EMAIL_HASH_KEY = 'spec-email-hash-key';

/** In-process counters only (no I/O); one registry for the whole run. */
let sharedMetrics: Metrics | undefined;
const metrics = () => {
  sharedMetrics ??= createMetrics();
  return sharedMetrics;
};

/** What the handlers take (command handlers ignore `locations`; the allocation process uses it). */
export interface SpecDeps {
  store: MemoryEventStore;
  metrics: Metrics;
  emailHashKey: string;
  locations: StockLocations;
}

export interface Harness {
  store: MemoryEventStore;
  deps: SpecDeps;
  /** The context of this step's request (tenant TENANT, time NOW). */
  ctx: CommandContext;
  /** Another request's context (a new object: ids a command makes are counted per context). */
  request(overrides?: Partial<CommandContext>): CommandContext;
}

export interface History {
  stream: string;
  events: DomainEvent[];
}

/** Events already in a stream; their metadata names the stream's tenant. */
export const on = (stream: string, ...events: DomainEvent[]): History => ({ stream, events });

/** An appended event as a spec expects it: `data` left out means "any data". */
export interface Expected {
  type: string;
  data?: unknown;
}
/** Stream name → the events appended to it, in order. */
export type Appended = Record<string, Expected[]>;

type Step = (h: Harness) => Promise<unknown>;
type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

const newStore = () => new MemoryEventStore({ clock: () => new Date(NOW) });

/** A harness on `store` (a new, empty MemoryEventStore by default), for specs that drive it themselves. */
export function harness(store = newStore()): Harness {
  const request = (overrides: Partial<CommandContext> = {}): CommandContext => ({
    tenant: TENANT,
    actor: 'key_spec',
    correlationId: randomUUID(),
    causationId: null,
    now: NOW,
    ...overrides,
  });
  const deps = { store, metrics: metrics(), emailHashKey: EMAIL_HASH_KEY, locations: eventLogLocations(store) };
  return { store, deps, ctx: request(), request };
}

async function append(store: MemoryEventStore, { stream, events }: History): Promise<void> {
  if (events.length === 0) return;
  await store.appendToStream(
    stream,
    events.map((e) => ({
      id: randomUUID(),
      type: e.type,
      data: e.data,
      metadata: {
        tenant: tenantOfStream(stream),
        actor: 'spec:given',
        correlationId: 'given',
        causationId: null,
        schemaVersion: currentVersion(e.type),
      },
    })),
  );
}

const wholeLog = (store: MemoryEventStore) => store.readAll({ maxCount: Number.MAX_SAFE_INTEGER });

/** The new events per stream, shaped like `expected` (type only where it gives no data). */
function byStream(events: readonly RecordedEvent[], expected: Appended): Appended {
  const out: Appended = {};
  for (const e of events) {
    const list = out[e.streamName] ?? [];
    out[e.streamName] = list;
    const want = expected[e.streamName]?.[list.length];
    list.push(want && !('data' in want) ? { type: e.type } : { type: e.type, data: e.data });
  }
  return out;
}

function run<R>(steps: readonly (History | Step)[], when: (h: Harness) => Promise<R>) {
  return async (): Promise<{ result?: R; error?: unknown; appended: RecordedEvent[] }> => {
    const store = newStore();
    for (const step of steps) {
      if (typeof step === 'function') await step(harness(store));
      else await append(store, step);
    }
    const before = (await wholeLog(store)).length;
    try {
      const result = await when(harness(store));
      return { result, appended: (await wholeLog(store)).slice(before) };
    } catch (error) {
      return { error, appended: (await wholeLog(store)).slice(before) };
    }
  };
}

function thenPart<R>(act: ReturnType<typeof run<R>>) {
  async function failure<E extends Error>(check: (err: unknown) => E, appended: Appended): Promise<E> {
    const { error, appended: events } = await act();
    const err = check(error);
    expect(byStream(events, appended), 'appended by the refused command').to.deep.equal(appended);
    return err;
  }
  const part = {
    /** The events appended per stream (every stream the `when` touched); resolves with its result. */
    async then(expected: Appended | ((result: R) => Appended)): Promise<R> {
      const { result, error, appended } = await act();
      if (error !== undefined) throw error;
      const want = typeof expected === 'function' ? expected(result as R) : expected;
      expect(byStream(appended, want)).to.deep.equal(want);
      return result as R;
    },
    thenNothingHappens(): Promise<R> {
      return part.then({});
    },
    /** Refused with a DomainError of this code; nothing appended (or exactly `appended`). */
    thenRefuses(code: string, appended: Appended = {}): Promise<DomainError> {
      return failure((err) => {
        expect(err, `expected a refusal ${code}`).to.be.instanceOf(DomainError);
        expect((err as DomainError).code).to.equal(code);
        return err as DomainError;
      }, appended);
    },
    /** Failed with an error of this class (e.g. VersionMismatchError); nothing appended (or exactly `appended`). */
    thenFails<E extends Error>(type: ErrorClass<E>, appended: Appended = {}): Promise<E> {
      return failure((err) => {
        expect(err, `expected a ${type.name}`).to.be.instanceOf(type);
        return err as E;
      }, appended);
    },
  };
  return part;
}

export interface Given {
  /** More events already in streams. */
  given(...histories: History[]): Given;
  /** History made by running real commands (what they append is part of the given). */
  and(step: Step): Given;
  when<R>(act: (h: Harness) => Promise<R>): ReturnType<typeof thenPart<R>>;
}

function givenFrom(steps: readonly (History | Step)[]): Given {
  return {
    given: (...histories) => givenFrom([...steps, ...histories]),
    and: (step) => givenFrom([...steps, step]),
    when: (act) => thenPart(run(steps, act)),
  };
}

/** Starts a spec on a new, empty MemoryEventStore. */
export const given = (...histories: History[]): Given => givenFrom(histories);
