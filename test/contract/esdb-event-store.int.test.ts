// A static import, on purpose. Under mocha (node-option import=tsx), a dynamic import() of the
// adapter loads a second copy of port.ts, and the contract's `instanceof WrongExpectedVersionError`
// then fails for errors thrown by the adapter.
import { EsdbEventStore } from '../../src/eventstore/esdb/esdb-event-store.ts';
import { eventStoreContract } from './eventstore.contract.ts';

// The same contract, run against a real EventStoreDB server. It runs when EVENTSTORE_URL reaches one:
//   docker compose up -d eventstore
//   EVENTSTORE_URL='esdb://localhost:2113?tls=false' npx mocha test/contract/esdb-event-store.int.test.ts
// Otherwise it prints one line saying it was skipped, and why. A missing server costs at most
// the ping timeout. The client is disposed, so no gRPC channel is left open.
// Every run also checks the adapter against the protocol stand-in (esdb-protocol-standin.int.test.ts);
// that run does not replace this one.
const PING_TIMEOUT_MS = 3000;

function skipped(reason: string): null {
  console.log(
    `  - EventStoreDB contract run SKIPPED: ${reason} (set EVENTSTORE_URL=esdb://localhost:2113?tls=false and run docker compose up -d eventstore)`,
  );
  return null;
}

eventStoreContract('eventstoredb on a real server', async () => {
  const url = process.env.EVENTSTORE_URL;
  if (!url) return skipped('EVENTSTORE_URL is not set');
  if (!/^esdb(\+discover)?:\/\//.test(url)) return skipped(`EVENTSTORE_URL is not an esdb:// URL (${url})`);
  let store: EsdbEventStore;
  try {
    store = new EsdbEventStore(url, { pingTimeoutMs: PING_TIMEOUT_MS });
  } catch (err) {
    return skipped(`EVENTSTORE_URL cannot be used (${firstLine(err)})`);
  }
  try {
    await store.ping();
  } catch (err) {
    await store.close().catch(() => {});
    return skipped(`no EventStoreDB answers at ${url} (${firstLine(err)})`);
  }
  return { store, teardown: () => store.close() };
});

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text
    .split('\n')[0]!
    .replace(/\s*Resolution note:.*$/, '')
    .trim();
}
