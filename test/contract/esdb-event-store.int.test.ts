import { eventStoreContract } from './eventstore.contract.ts';

// The same contract against EventStoreDB. It runs when EVENTSTORE_URL reaches a server
// (docker compose up -d eventstore; EVENTSTORE_URL='esdb://localhost:2113?tls=false'),
// and says plainly that it was skipped otherwise.
eventStoreContract('eventstoredb', async () => {
  const url = process.env.EVENTSTORE_URL;
  const skip = (reason: string) => {
    console.log(
      `  - EventStoreDB contract run SKIPPED: ${reason} (run docker compose up -d eventstore and set EVENTSTORE_URL='esdb://localhost:2113?tls=false')`,
    );
    return null;
  };
  if (!url || !url.startsWith('esdb')) return skip('EVENTSTORE_URL is not set to an esdb:// URL');
  const { EsdbEventStore } = await import('../../src/eventstore/esdb/esdb-event-store.ts');
  const store = new EsdbEventStore(url);
  try {
    await Promise.race([store.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3000))]);
  } catch (err) {
    await store.close().catch(() => {});
    return skip(`no EventStoreDB answers at ${url}: ${(err as Error).message.split('\n')[0]}`);
  }
  return { store, teardown: () => store.close() };
});
