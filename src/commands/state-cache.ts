import type { Decider, DomainEvent } from '../../domain/shared/decider.ts';
import type { EventStore, Position, RecordedEvent } from '../eventstore/port.ts';

export interface CachedState<S> {
  state: S;
  /** Events folded into `state` (the stream's revision + 1). */
  version: number;
  /** Log position of the last folded event. */
  position: Position | null;
}

type Folding<S> = Pick<Decider<never, DomainEvent, S>, 'initialState' | 'evolve'>;

/**
 * The folded state of recently used streams, kept in this process, so that loading a stream reads
 * only the events appended since (`fromRevision`) instead of re-reading and re-folding all of it.
 * A SKU's inventory stream grows by an event per reservation: without this, every allocation
 * step re-reads thousands of events and allocation slows down as it runs.
 *
 * Correct with several processes writing: streams are append-only and every append still carries
 * the expected revision, so an entry that is behind only means a longer tail to read. Use it only
 * for streams without personal data (inventory), so erasure never has a copy in memory to miss.
 */
export class StreamStateCache<S> {
  // A Map iterates in insertion order: re-inserting on use makes the first key the least recent.
  private readonly entries = new Map<string, CachedState<S>>();

  private readonly decider: Folding<S>;
  private readonly maxEntries: number;

  constructor(decider: Folding<S>, maxEntries = 2_000) {
    this.decider = decider;
    this.maxEntries = maxEntries;
  }

  /** The stream's current state: the cached fold plus whatever was appended since. */
  async load(store: EventStore, stream: string): Promise<CachedState<S>> {
    const cached = this.entries.get(stream);
    return this.extend(stream, cached, await store.readStream(stream, { fromRevision: cached?.version ?? 0 }));
  }

  /** Several streams' current states, read in one readStreams call (in the order asked). */
  async loadMany(store: EventStore, streams: readonly string[]): Promise<CachedState<S>[]> {
    const cached = streams.map((stream) => this.entries.get(stream));
    const tails = await store.readStreams(
      streams.map((streamName, i) => ({ streamName, fromRevision: cached[i]?.version ?? 0 })),
    );
    return streams.map((stream, i) => this.extend(stream, cached[i], tails[i]!));
  }

  /** The cached fold (if any) plus the events read after it, remembered. */
  private extend(stream: string, cached: CachedState<S> | undefined, tail: readonly RecordedEvent[]): CachedState<S> {
    if (tail.length === 0 && cached) {
      this.touch(stream, cached);
      return cached;
    }
    let state = cached?.state ?? this.decider.initialState();
    for (const e of tail) state = this.decider.evolve(state, { type: e.type, data: e.data });
    const last = tail[tail.length - 1];
    const entry = {
      state,
      version: (cached?.version ?? 0) + tail.length,
      position: last?.position ?? cached?.position ?? null,
    };
    this.remember(stream, entry);
    return entry;
  }

  /** After an append: the state the appender folded (kept only if no newer one is known). */
  remember(stream: string, entry: CachedState<S>): void {
    const known = this.entries.get(stream);
    if (known && known.version > entry.version) return;
    if (entry.version === 0) return;
    this.touch(stream, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }

  private touch(stream: string, entry: CachedState<S>): void {
    this.entries.delete(stream);
    this.entries.set(stream, entry);
  }
}

/** One cache per store instance and decider (a test's second store starts empty). */
const caches = new WeakMap<EventStore, WeakMap<object, StreamStateCache<unknown>>>();

export function stateCacheFor<S>(store: EventStore, decider: Folding<S>): StreamStateCache<S> {
  let byDecider = caches.get(store);
  if (!byDecider) {
    byDecider = new WeakMap();
    caches.set(store, byDecider);
  }
  let cache = byDecider.get(decider) as StreamStateCache<S> | undefined;
  if (!cache) {
    cache = new StreamStateCache(decider);
    byDecider.set(decider, cache as StreamStateCache<unknown>);
  }
  return cache;
}
