// given / when / then for deciders (after emmett's DeciderSpecification).
import { expect } from 'chai';
import type { Command, Decider, DomainEvent } from '../../domain/shared/decider.ts';
import { DomainError } from '../../domain/shared/errors.ts';

export function deciderSpec<C extends Command, E extends DomainEvent, S>(decider: Decider<C, E, S>) {
  return {
    given(events: E[]) {
      return {
        when(command: C) {
          const run = () => decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
          return {
            then(expected: E[]) {
              expect(run()).to.deep.equal(expected);
            },
            thenNothingHappens() {
              expect(run()).to.deep.equal([]);
            },
            thenRefuses(code: string) {
              let caught: unknown;
              try {
                run();
              } catch (err) {
                caught = err;
              }
              expect(caught, `expected the command to be refused with ${code}`).to.be.instanceOf(DomainError);
              expect((caught as DomainError).code).to.equal(code);
            },
          };
        },
      };
    },
  };
}
