// Direct specs of the EventStoreDB protocol stand-in, through the real @eventstore/db-client, where
// the server's answers are subtle. Each pins what the 24.10 server answers (read from its sources:
// Streams.Append.cs, Streams.BatchAppend.cs, IndexWriter.CheckCommit, ResolvedEvent positions,
// Enumerator.AllSubscriptionFiltered) in the shape the client turns it into, so a stand-in that
// drifts from the server or from the client's decoding fails here, not silently in the contract.
import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  binaryEvent,
  EventStoreDBClient,
  excludeSystemEvents,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { expect } from 'chai';
import { type EsdbProtocolStandIn, startEsdbProtocolStandIn } from './server.ts';

const ev = (n = 0) => jsonEvent({ id: randomUUID(), type: 'ThingHappened', data: { n } });

async function collect(read: AsyncIterable<ResolvedEvent>): Promise<ResolvedEvent[]> {
  const out: ResolvedEvent[] = [];
  for await (const e of read) out.push(e);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function useStandIn(options: { batchAppend?: boolean } = {}) {
  const ctx = {} as { standIn: EsdbProtocolStandIn; client: EventStoreDBClient };
  before(async () => {
    ctx.standIn = await startEsdbProtocolStandIn(options);
    ctx.client = EventStoreDBClient.connectionString(ctx.standIn.connectionString);
  });
  after(async () => {
    await ctx.client?.dispose();
    await ctx.standIn?.close();
  });
  return ctx;
}

const stream = (label: string) => `t1:thing:${label}-${randomUUID()}`;

for (const batchAppend of [true, false]) {
  describe(`EventStoreDB protocol stand-in: appends through ${batchAppend ? 'BatchAppend (24.10)' : 'unary Append (servers before 21.10)'}`, () => {
    const ctx = useStandIn({ batchAppend });

    it('answers a version conflict with the expected and the actual revision, as the client reports them', async () => {
      const { client } = ctx;
      const conflict = async (name: string, expectedRevision: AppendExpectedRevision) => {
        const err = await rejection(client.appendToStream(name, ev(), { expectedRevision }));
        expect(err).to.be.instanceOf(WrongExpectedVersionError);
        const { streamName, expectedVersion, actualVersion } = err as WrongExpectedVersionError;
        return { streamName, expectedVersion, actualVersion };
      };
      const s = stream('wev');
      await client.appendToStream(s, [ev(0), ev(1)], { expectedRevision: NO_STREAM });
      expect(await conflict(s, NO_STREAM)).to.deep.equal({
        streamName: s,
        expectedVersion: 'no_stream',
        actualVersion: 1n,
      });
      expect(await conflict(s, 5n)).to.deep.equal({ streamName: s, expectedVersion: 5n, actualVersion: 1n });
      expect(await conflict(s, 0n)).to.deep.equal({ streamName: s, expectedVersion: 0n, actualVersion: 1n });
      const missing = stream('missing');
      expect(await conflict(missing, 0n)).to.deep.equal({
        streamName: missing,
        expectedVersion: 0n,
        actualVersion: 'no_stream',
      });
      expect(await conflict(missing, STREAM_EXISTS)).to.deep.equal({
        streamName: missing,
        expectedVersion: 'stream_exists',
        actualVersion: 'no_stream',
      });
    });

    it('treats a re-sent batch after the same expected revision as done, with its original revision and position', async () => {
      const { client } = ctx;
      const s = stream('idem');
      const batch = [ev(0), ev(1)];
      const first = await client.appendToStream(s, batch, { expectedRevision: NO_STREAM });
      await client.appendToStream(s, ev(2));
      for (const expectedRevision of [NO_STREAM, ANY] as AppendExpectedRevision[]) {
        const again = await client.appendToStream(s, batch, { expectedRevision });
        expect(again.nextExpectedRevision, String(expectedRevision)).to.equal(1n);
        expect(again.position, String(expectedRevision)).to.deep.equal(first.position);
      }
      // A batch of which only the first event was written before is a conflict, not a retry.
      const partial = await rejection(client.appendToStream(s, [batch[0]!, ev(3)], { expectedRevision: NO_STREAM }));
      expect((partial as WrongExpectedVersionError).actualVersion).to.equal(2n);
      // Ids are not unique across the store: after the current revision the same events are new.
      const rewritten = await client.appendToStream(s, batch, { expectedRevision: 2n });
      expect(rewritten.nextExpectedRevision).to.equal(4n);
      expect(await collect(client.readStream(s))).to.have.length(5);
    });
  });
}

describe('EventStoreDB protocol stand-in: reads and positions', () => {
  const ctx = useStandIn();

  it('gives each event one position (commit = prepare), the same in the append result, the stream and $all', async () => {
    const { client } = ctx;
    const s = stream('pos');
    const appended = await client.appendToStream(s, [ev(0), ev(1), ev(2)], { expectedRevision: NO_STREAM });
    const inStream = (await collect(client.readStream(s))).map((r) => r.event!);
    expect(inStream.map((e) => e.revision)).to.deep.equal([0n, 1n, 2n]);
    expect(inStream[2]!.position).to.deep.equal(appended.position);
    for (const e of inStream) expect(e.position!.commit).to.equal(e.position!.prepare);
    // Byte offsets of a log: growing, with gaps.
    expect(inStream[1]!.position!.commit - inStream[0]!.position!.commit > 1n).to.equal(true);
    const middle = inStream[1]!.position!;
    const forwards = await collect(client.readAll({ fromPosition: middle, maxCount: 2 }));
    expect(
      forwards.map((r) => r.event!.id),
      'forwards from a position includes it',
    ).to.deep.equal([inStream[1]!.id, inStream[2]!.id]);
    expect(forwards[0]!.event!.position).to.deep.equal(middle);
    expect(forwards[0]!.commitPosition).to.equal(middle.commit);
    const backwards = await collect(client.readAll({ fromPosition: middle, direction: BACKWARDS, maxCount: 1 }));
    expect(
      backwards.map((r) => r.event!.id),
      'backwards from a position excludes it',
    ).to.deep.equal([inStream[0]!.id]);
    const inside = { commit: middle.commit + 1n, prepare: middle.commit + 1n };
    const err = await rejection(collect(client.readAll({ fromPosition: inside, maxCount: 1 })));
    expect(String(err)).to.match(/invalid position/i);
  });

  it('reports a missing stream while reading, and keeps ids, types, data, metadata and creation time', async () => {
    const { client } = ctx;
    const err = await rejection(collect(client.readStream(stream('none'))));
    expect(err).to.be.instanceOf(StreamNotFoundError);

    const s = stream('content');
    const id = randomUUID();
    const before = Date.now();
    await client.appendToStream(s, [
      jsonEvent({ id: id.toUpperCase(), type: 'Json', data: { a: [1, 'x'] }, metadata: { tenant: 't1' } }),
      binaryEvent({ type: 'Bytes', data: Uint8Array.from([0, 1, 255]) }),
    ]);
    const [json, bytes] = (await collect(client.readStream(s))).map((r) => r.event!);
    expect(json).to.include({ id, type: 'Json', isJson: true, streamId: s, revision: 0n });
    expect(json!.data).to.deep.equal({ a: [1, 'x'] });
    expect(json!.metadata).to.deep.equal({ tenant: 't1' });
    expect(json!.created.getTime()).to.be.within(before, Date.now());
    expect(bytes).to.include({ type: 'Bytes', isJson: false, revision: 1n });
    expect(Array.from(bytes!.data as Uint8Array)).to.deep.equal([0, 1, 255]);
    expect(bytes!.metadata).to.equal(undefined);
  });

  it('holds a system event of its own, as a fresh node does, which the default $all filter leaves out', async () => {
    const { client } = ctx;
    const [first] = await collect(client.readAll({ fromPosition: START, maxCount: 1 }));
    expect(first!.event!.streamId).to.equal('$epoch-information');
    const sub = client.subscribeToAll({ fromPosition: START, filter: excludeSystemEvents() });
    for await (const e of sub) {
      expect(e.event!.type.startsWith('$')).to.equal(false);
      break;
    }
    await sub.unsubscribe();
  });
});

describe('EventStoreDB protocol stand-in: filtered subscription to $all', () => {
  const ctx = useStandIn();

  it('confirms, catches up strictly after the start, sends checkpoints, reports caught up, then goes live', async () => {
    const { client } = ctx;
    const prefix = `t${randomUUID().slice(0, 8)}:`;
    const s = `${prefix}thing:1`;
    const first = await client.appendToStream(s, [ev(0), ev(1)]);
    await client.appendToStream(
      `other:thing:${randomUUID()}`,
      Array.from({ length: 40 }, (_, i) => ev(i)),
    );
    const checkpoints: bigint[] = [];
    const sub = client.subscribeToAll({
      fromPosition: first.position!,
      filter: streamNameFilter({ prefixes: [prefix], checkpointReached: (_s, p) => void checkpoints.push(p.commit) }),
    });
    const seen: string[] = [];
    let confirmed = false;
    let caughtUp = false;
    sub.on('confirmation', () => {
      confirmed = true;
    });
    sub.on('caughtUp', () => {
      caughtUp = true;
    });
    await client.appendToStream(s, [ev(2)]); // may arrive during catch-up or live: once either way
    for await (const e of sub) {
      seen.push(`${e.event!.streamId}@${e.event!.revision}`);
      if (seen.length === 1) await client.appendToStream(s, [ev(3)]);
      if (seen.length === 2) break;
    }
    await sub.unsubscribe();
    expect(confirmed).to.equal(true);
    expect(seen).to.deep.equal([`${s}@2`, `${s}@3`]);
    expect(caughtUp).to.equal(true);
    // 40 other events were considered during catch-up: at least one interval checkpoint (32).
    expect(checkpoints.length).to.be.at.least(1);
    for (let i = 1; i < checkpoints.length; i++) expect(checkpoints[i]! >= checkpoints[i - 1]!).to.equal(true);
  });
});
