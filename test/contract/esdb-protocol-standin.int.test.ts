// A static import, as in esdb-event-store.int.test.ts (one copy of port.ts for instanceof checks).
import { EsdbEventStore } from '../../src/eventstore/esdb/esdb-event-store.ts';
import { startEsdbProtocolStandIn } from '../support/esdb-protocol-standin/server.ts';
import { eventStoreContract } from './eventstore.contract.ts';

// The EventStoreDB adapter and the real @eventstore/db-client against the in-process protocol
// stand-in (test/support/esdb-protocol-standin/), on every run. It catches adapter and client-usage
// mistakes without a server; it does not replace the real-server run (esdb-event-store.int.test.ts).
eventStoreContract('eventstoredb adapter on the protocol stand-in', async () => {
  const standIn = await startEsdbProtocolStandIn();
  const store = new EsdbEventStore(standIn.connectionString);
  return {
    store,
    teardown: async () => {
      await store.close();
      await standIn.close();
    },
  };
});
