import { expect } from 'chai';
import type { LocationCommand } from '../../domain/locations/commands.ts';
import { locationDecider } from '../../domain/locations/decider.ts';
import type { LocationEvent } from '../../domain/locations/events.ts';
import { deciderSpec } from '../support/decider-spec.ts';

const spec = deciderSpec(locationDecider);
const now = '2026-12-03T10:00:00.000Z';
const later = '2026-12-03T11:00:00.000Z';
const address = { line1: '4 Dock Rd', city: 'Hamburg', country: 'DE' };
const define = (data: Partial<LocationCommand['data']> = {}, at = now): LocationCommand => ({
  type: 'DefineLocation',
  data: { code: 'hh-01', name: 'Hamburg', address: null, priority: 1, active: true, now: at, ...data },
});
const defined: LocationEvent = {
  type: 'LocationDefined',
  data: { code: 'hh-01', name: 'Hamburg', address: null, priority: 1, active: true, definedAt: now },
};
const fold = (events: LocationEvent[]) => events.reduce(locationDecider.evolve, locationDecider.initialState());

describe('Location decider', () => {
  it('given nothing, when defined, then LocationDefined', () => {
    spec.given([]).when(define()).then([defined]);
    expect(fold([defined])).to.include({ status: 'defined', priority: 1, active: true });
  });
  it('given a location, when defined with other settings, then LocationChanged with only what changed', () => {
    const changed: LocationEvent = {
      type: 'LocationChanged',
      data: { code: 'hh-01', changes: { address, priority: 3, active: false }, changedAt: later },
    };
    spec
      .given([defined])
      .when(define({ address, priority: 3, active: false }, later))
      .then([changed]);
    expect(fold([defined, changed])).to.deep.include({
      name: 'Hamburg',
      address,
      priority: 3,
      active: false,
      definedAt: now,
      updatedAt: later,
    });
  });
  it('given a location, when defined with the same settings, then nothing happens', () =>
    spec.given([defined]).when(define({}, later)).thenNothingHappens());
  it('given a location with an address, when the same address comes with its keys in another order, then nothing happens', () =>
    spec
      .given([
        { ...defined, data: { ...defined.data, address: { country: 'DE', city: 'Hamburg', line1: '4 Dock Rd' } } },
      ])
      .when(define({ address }, later))
      .thenNothingHappens());
  for (const priority of [0, -1, 1.5, 1_000_001])
    it(`given anything, when the priority is ${priority}, then refused invalid_location_priority`, () =>
      spec.given([]).when(define({ priority })).thenRefuses('invalid_location_priority'));
  it('given anything, when the name is blank, then refused invalid_location_name', () =>
    spec
      .given([defined])
      .when(define({ name: '  ' }))
      .thenRefuses('invalid_location_name'));
  it('given a location, when a command names another code, then refused location_code_mismatch', () =>
    spec
      .given([defined])
      .when(define({ code: 'hh-02' }))
      .thenRefuses('location_code_mismatch'));
});
