// The event-log implementation of StockLocations (the read-model one runs in the int tier, under
// test/orders/allocation*.int.test.ts): the same answers the inventory_levels query gives.
import { expect } from 'chai';
import { eventLogLocations } from '../../src/inventory/locations.ts';
import { given, OTHER_TENANT, TENANT } from '../support/command-spec.ts';
import { stock } from '../support/given-events.ts';

const candidates = (sku: string, held: string[], all = false) =>
  given(
    stock('A', 'west').received(3).history(),
    stock('A', 'east').received(2).history(),
    stock('A', 'north').received(1).reserved('ord_9', 1).history(),
    stock('A', 'south').received(4).history(OTHER_TENANT),
    stock('B', 'central').received(5).history(),
  )
    .when((h) => eventLogLocations(h.store).candidates(TENANT, sku, held, { all }))
    .thenNothingHappens();

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
      .then((locations) => expect(locations).to.deep.equal(['default', 'east']));
  });

  it('follows the levels as they move: a location whose stock is all reserved drops out', () =>
    given(stock('A', 'east').received(2).reserved('ord_1', 1).reserved('ord_2', 1).history())
      .when((h) => eventLogLocations(h.store).candidates(TENANT, 'A', []))
      .thenNothingHappens()
      .then((locations) => expect(locations).to.deep.equal(['default'])));
});
