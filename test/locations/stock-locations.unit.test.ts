// The event-log implementation of StockLocations (the read-model one runs in the int tier, under
// test/orders/allocation*.int.test.ts): the same answers the inventory_levels query gives, ordered by the locations' settings.
import { expect } from 'chai';
import type { LocationEvent } from '../../domain/locations/events.ts';
import { eventLogLocations } from '../../src/locations/stock-locations.ts';
import { locationStream } from '../../src/locations/streams.ts';
import { given, type History, NOW, on, OTHER_TENANT, TENANT } from '../support/command-spec.ts';
import { stock } from '../support/given-events.ts';

const levels = () => [
  stock('A', 'west').received(3).history(),
  stock('A', 'east').received(2).history(),
  stock('A', 'north').received(1).reserved('ord_9', 1).history(),
  stock('A', 'south').received(4).history(OTHER_TENANT),
  stock('B', 'central').received(5).history(),
];
const found = (histories: History[], sku: string, held: string[], all = false) =>
  given(...histories)
    .when((h) => eventLogLocations(h.store).candidates(TENANT, sku, held, { all }))
    .thenNothingHappens();
const candidates = async (sku: string, held: string[], all = false) =>
  (await found(levels(), sku, held, all)).locations;

/** A location defined with these settings (a LocationDefined, then a LocationChanged to deactivate). */
const defined = (code: string, priority: number, active = true, tenant = TENANT): History => {
  const events: LocationEvent[] = [
    {
      type: 'LocationDefined',
      data: { code, name: code, address: null, priority, active: true, definedAt: NOW },
    },
  ];
  if (!active) events.push({ type: 'LocationChanged', data: { code, changes: { active }, changedAt: NOW } });
  return on(locationStream(tenant, code), ...events);
};

describe('Stock locations from the event log', () => {
  it('the default location first, then other locations of the SKU with stock available, by name', async () =>
    expect(await candidates('A', [])).to.deep.equal(['default', 'east', 'west']));

  it('locations the order already holds come right after the default, even without stock available', async () =>
    expect(await candidates('A', ['north'])).to.deep.equal(['default', 'north', 'east', 'west']));

  it('for releases (all), every known location of the SKU, with or without stock', async () =>
    expect(await candidates('A', [], true)).to.deep.equal(['default', 'east', 'north', 'west']));

  it("another tenant's and another SKU's stock do not count; a SKU never stocked has only the default", async () =>
    expect(await candidates('C', [])).to.deep.equal(['default']));

  it('reads the whole log, page after page (a location first seen after 1,000 events)', () => {
    const busy = stock('A');
    for (let i = 0; i < 1_000; i++) busy.received(1);
    return given(busy.history(), stock('A', 'east').received(1).history())
      .when((h) => eventLogLocations(h.store).candidates(TENANT, 'A', []))
      .thenNothingHappens()
      .then((c) => expect(c.locations).to.deep.equal(['default', 'east']));
  });

  it('follows the levels as they move: a location whose stock is all reserved drops out', () =>
    given(stock('A', 'east').received(2).reserved('ord_1', 1).reserved('ord_2', 1).history())
      .when((h) => eventLogLocations(h.store).candidates(TENANT, 'A', []))
      .thenNothingHappens()
      .then((c) => expect(c.locations).to.deep.equal(['default'])));

  describe('with defined locations', () => {
    it('active defined locations first by priority, ties by code; the never-defined ones after, as before', async () => {
      const c = await found([...levels(), defined('west', 1), defined('north', 2), defined('east', 1)], 'A', [], true);
      expect(c).to.deep.equal({ locations: ['east', 'west', 'north', 'default'], inactive: [] });
    });

    it('an inactive location comes last and is named inactive, even one the order holds', async () => {
      const c = await found([...levels(), defined('west', 1, false), defined('east', 5)], 'A', ['west']);
      expect(c).to.deep.equal({ locations: ['east', 'default', 'west'], inactive: ['west'] });
    });

    it('the default location, once defined, is ordered by its priority like any other', async () => {
      const c = await found([...levels(), defined('default', 9), defined('west', 1)], 'A', []);
      expect(c.locations).to.deep.equal(['west', 'default', 'east']);
    });

    it("another tenant's location settings do not count", async () => {
      const c = await found([...levels(), defined('west', 1, false, OTHER_TENANT)], 'A', []);
      expect(c).to.deep.equal({ locations: ['default', 'east', 'west'], inactive: [] });
    });
  });
});
