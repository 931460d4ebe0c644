// The command-spec helper must fail when the handler does something else than the spec says.
import { AssertionError, expect } from 'chai';
import { DomainError } from '../../domain/shared/errors.ts';
import { VersionMismatchError } from '../../src/commands/errors.ts';
import { adjustStock } from '../../src/inventory/commands.ts';
import { inventoryStream } from '../../src/inventory/streams.ts';
import { given, NOW, TENANT, type Harness } from './command-spec.ts';
import { stock } from './given-events.ts';

const A = inventoryStream(TENANT, 'A', 'default');
const receive = (h: Harness) =>
  adjustStock(h.deps, h.ctx, { sku: 'A', location: 'default', delta: 2, reason: 'received', reference: null });
const refuse = async (): Promise<never> => {
  throw new DomainError('some_rule', 'refused');
};

async function assertionFailure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(AssertionError);
    return err as Error;
  }
  throw new Error('expected the spec to fail');
}

describe('command-spec helper', () => {
  it('given: the events are in their streams, with the tenant of the stream in their metadata', async () => {
    const events = await given(stock('A').received(1).history())
      .when((h) => h.store.readStream(A))
      .thenNothingHappens();
    expect(events.map((e) => [e.type, e.metadata.tenant])).to.deep.equal([['StockAdjusted', TENANT]]);
  });

  it('then: fails on a missing, an extra, or a different event, and on different data', async () => {
    const when = given().when(receive);
    await assertionFailure(when.thenNothingHappens());
    await assertionFailure(when.then({ [A]: [{ type: 'StockAdjusted' }, { type: 'StockAdjusted' }] }));
    await assertionFailure(when.then({ [A]: [{ type: 'StockCounted' }] }));
    await assertionFailure(
      when.then({ [A]: [{ type: 'StockAdjusted', data: { sku: 'A', location: 'default', occurredAt: NOW } }] }),
    );
    await when.then({ [A]: [{ type: 'StockAdjusted' }] });
  });

  it('then: a handler that throws fails the spec with its error', async () => {
    let caught: unknown;
    await given()
      .when(refuse)
      .thenNothingHappens()
      .catch((err) => {
        caught = err;
      });
    expect(caught).to.be.instanceOf(DomainError);
  });

  it('thenRefuses: fails when the command succeeds, is refused with another code, or appended anything', async () => {
    await assertionFailure(given().when(receive).thenRefuses('some_rule'));
    await assertionFailure(given().when(refuse).thenRefuses('another_rule'));
    const appendsThenRefuses = async (h: Harness) => {
      await receive(h);
      return refuse();
    };
    await assertionFailure(given().when(appendsThenRefuses).thenRefuses('some_rule'));
    await given()
      .when(appendsThenRefuses)
      .thenRefuses('some_rule', { [A]: [{ type: 'StockAdjusted' }] });
    expect((await given().when(refuse).thenRefuses('some_rule')).message).to.equal('refused');
  });

  it('thenFails: fails on another kind of error', async () => {
    await assertionFailure(given().when(refuse).thenFails(VersionMismatchError));
    await given()
      .when(async () => {
        throw new VersionMismatchError(1, 2);
      })
      .thenFails(VersionMismatchError);
  });
});
