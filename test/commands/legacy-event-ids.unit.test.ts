// Idempotency-derived event ids changed from a version 5 to a version 8 nibble. A request whose
// first attempt an earlier release wrote (old id form) and never answered must still be
// recognised when it is retried now: nothing is appended twice.
import { expect } from 'chai';
import type { InventoryCommand } from '../../domain/inventory/commands.ts';
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import type { CommandContext } from '../../src/commands/context.ts';
import { handleCommand } from '../../src/commands/handle.ts';
import { eventIdSeed } from '../../src/commands/legacy-event-ids.ts';
import { MemoryEventStore } from '../../src/eventstore/memory/memory-event-store.ts';
import { derivedUuid, legacyDerivedUuid } from '../../src/ids.ts';

const stream = 't1:inventory:SKU-1:main';
const adjust: InventoryCommand = {
  type: 'AdjustStock',
  data: { sku: 'SKU-1', location: 'main', now: '2026-11-28T10:00:00.000Z', delta: 5, reason: 'received' },
};
const ctx = (since: number): CommandContext => ({
  tenant: 't1',
  actor: 'test',
  correlationId: 'c',
  causationId: null,
  now: '2026-11-28T10:00:00.000Z',
  idempotencyKey: 'k1',
  idempotency: { seed: 'seed-of-k1', since },
});

/** What the earlier release appended for the first attempt: the same event, under the version 5 id. */
async function writtenByEarlierRelease(store: MemoryEventStore, idForm: (seed: string) => string) {
  const [event] = inventoryDecider.decide(adjust, inventoryDecider.initialState());
  await store.appendToStream(
    stream,
    [
      {
        id: idForm(eventIdSeed('seed-of-k1', stream, 'AdjustStock', 0)),
        type: event!.type,
        data: event!.data,
        metadata: { tenant: 't1', actor: 'test', correlationId: 'c', causationId: null },
      },
    ],
    { expectedRevision: 'no_stream' },
  );
}

describe('Idempotent retries across the change of derived event id form', () => {
  it('a retry of a request an earlier release wrote (key first used before this process) appends nothing', async () => {
    const store = new MemoryEventStore();
    await writtenByEarlierRelease(store, legacyDerivedUuid);
    const res = await handleCommand({ store, stream, decider: inventoryDecider, ctx: ctx(0), command: adjust });
    expect(res.appended).to.have.length(0);
    expect(await store.readStream(stream)).to.have.length(1);
    expect(res.version).to.equal(1);
  });

  it('a retry of a request this release wrote is recognised by the store, as before', async () => {
    const store = new MemoryEventStore();
    await writtenByEarlierRelease(store, derivedUuid);
    const res = await handleCommand({
      store,
      stream,
      decider: inventoryDecider,
      ctx: ctx(Date.now()),
      command: adjust,
    });
    expect(res.appended).to.have.length(0);
    expect(await store.readStream(stream)).to.have.length(1);
  });

  it('a key first used after this process started derives version 8 ids and is not looked up in the old form', async () => {
    const store = new MemoryEventStore();
    let reads = 0;
    const counting: MemoryEventStore = Object.create(store);
    counting.readStream = (...a) => {
      reads++;
      return store.readStream(...a);
    };
    const res = await handleCommand({
      store: counting,
      stream,
      decider: inventoryDecider,
      ctx: ctx(Date.now()),
      command: adjust,
    });
    expect(res.appended).to.have.length(1);
    expect(reads, 'one load, no extra read').to.equal(1);
    const [stored] = await store.readStream(stream);
    expect(stored!.id).to.equal(derivedUuid(eventIdSeed('seed-of-k1', stream, 'AdjustStock', 0)));
  });
});
