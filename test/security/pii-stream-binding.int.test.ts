// A personal-data envelope opens only in the stream of the customer it was sealed for: the reader
// takes the owner from the stream (the customer stream's id, the order's customer), not from the
// envelope's own claim. An envelope copied into another customer's stream reads back redacted.
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { redactedAddress, redactedPii } from '../../domain/customers/redacted.ts';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.ts';
import type { EventStore, NewEvent } from '../../src/eventstore/port.ts';
import { PiiKeys } from '../../src/pii/keys.ts';
import { withPiiEncryption } from '../../src/pii/pii-event-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';

const meta = { tenant: 'acme', actor: 'test', correlationId: 'c', causationId: null };
const event = (type: string, data: Record<string, unknown>): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: meta as NewEvent['metadata'],
});

describe('Personal data is bound to the stream it is read from', () => {
  let db: TestDatabase;
  let raw: PostgresEventStore;
  let store: EventStore;
  const ada = { email: 'ada@example.com', name: 'Ada Victim', phone: null, addresses: [] };
  const adaAddress = { line1: '1 Victim Street', city: 'Londinium', country: 'GB' };

  before(async () => {
    db = await createTestDatabase();
    raw = new PostgresEventStore(db.pool, { pollIntervalMs: 5 });
    store = withPiiEncryption(raw, new PiiKeys(db.pool, { current: randomBytes(32), previous: null }));
    await store.appendToStream('acme:customer:cus_A', [
      event('CustomerRegistered', { customerId: 'cus_A', externalId: null, pii: ada }),
    ]);
    await store.appendToStream('acme:customer:cus_M', [
      event('CustomerRegistered', { customerId: 'cus_M', externalId: null, pii: { ...ada, name: 'Mallory' } }),
    ]);
    await store.appendToStream('acme:order:ord_A', [
      event('OrderPlaced', { orderId: 'ord_A', customerId: 'cus_A', lines: [], shippingAddress: adaAddress }),
    ]);
    await store.appendToStream('acme:order:ord_M', [
      event('OrderPlaced', { orderId: 'ord_M', customerId: 'cus_M', lines: [], shippingAddress: adaAddress }),
    ]);
  });
  after(async () => db?.drop());

  const sealedOf = async (stream: string, field: string) =>
    ((await raw.readStream(stream))[0]!.data as Record<string, unknown>)[field];

  it('opens an envelope in its own stream', async () => {
    expect((await store.readStream('acme:customer:cus_A'))[0]!.data).to.deep.include({ pii: ada });
    expect((await store.readStream('acme:order:ord_A'))[0]!.data).to.deep.include({ shippingAddress: adaAddress });
  });

  it("reads a customer's envelope copied into another customer's stream as redacted", async () => {
    const stolen = await sealedOf('acme:customer:cus_A', 'pii');
    await raw.appendToStream('acme:customer:cus_M2', [
      event('CustomerRegistered', { customerId: 'cus_M2', externalId: null, pii: stolen }),
    ]);
    const [read] = await store.readStream('acme:customer:cus_M2');
    expect(read!.data).to.deep.include({ pii: redactedPii() });
    // The log shows a commit to readers once no older transaction is still open: wait for it.
    const fed = await waitFor(
      async () => (await store.readAll({ maxCount: 100 })).filter((e) => e.streamName === 'acme:customer:cus_M2'),
      (found) => found.length === 1,
      { what: 'the copied event in the log' },
    );
    expect(fed[0]!.data).to.deep.include({ pii: redactedPii() });
  });

  it("reads an address copied into another customer's order as redacted, in the same event and in a later one", async () => {
    const stolen = await sealedOf('acme:order:ord_A', 'shippingAddress');
    await raw.appendToStream('acme:order:ord_M2', [
      event('OrderPlaced', { orderId: 'ord_M2', customerId: 'cus_M', lines: [], shippingAddress: stolen }),
    ]);
    await raw.appendToStream('acme:order:ord_M', [
      event('OrderUpdated', { orderId: 'ord_M', changes: { shippingAddress: stolen } }),
    ]);
    expect((await store.readStream('acme:order:ord_M2'))[0]!.data).to.deep.include({
      shippingAddress: redactedAddress(),
    });
    const updated = (await store.readStream('acme:order:ord_M', { fromRevision: 1 }))[0]!;
    expect(updated.data).to.deep.include({ changes: { shippingAddress: redactedAddress() } });
    const fed = await waitFor(
      async () =>
        (await store.readAll({ maxCount: 100 })).filter((e) => e.streamName.endsWith(':ord_M2') || e.revision > 0),
      (found) => found.length === 2,
      { what: 'the copied events in the log' },
    );
    expect(JSON.stringify(fed.map((e) => e.data))).to.not.include('Victim Street');
  });
});
