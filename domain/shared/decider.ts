// The shape every aggregate follows (after emmett's Decider): pure functions, no I/O, no clock.
// Time arrives inside the command (`now`, an RFC 3339 string).

export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface Command<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface Decider<C extends Command, E extends DomainEvent, S> {
  initialState(): S;
  /** The events a command produces in a state; throws a DomainError to refuse it. */
  decide(command: C, state: S): E[];
  evolve(state: S, event: E): S;
}

export function fold<E extends DomainEvent, S>(
  decider: { initialState(): S; evolve(s: S, e: E): S },
  events: readonly E[],
): S {
  return events.reduce(decider.evolve, decider.initialState());
}
