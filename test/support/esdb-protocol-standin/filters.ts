// TEST STAND-IN, not EventStoreDB. Server-side event filters of the EventStoreDB protocol stand-in,
// a port of EventFilter.cs (24.10) for $all reads and subscriptions:
//  - stream name or event type, by prefixes (ordinal StartsWith) or by a regular expression
//    (unanchored, like .NET Regex.Match; JavaScript RegExp syntax, which agrees with .NET for the
//    usual patterns such as the client's excludeSystemEvents() "^[^$].*");
//  - on $all, a filter first applies the server's default rule: events of non-system streams pass,
//    $epoch-information and the $all persistent-subscription checkpoint and parked streams do not,
//    other system streams go on to the filter itself;
//  - the checkpoint interval: a checkpoint every (multiplier × search window) considered events,
//    the window being 32 unless the request names one.
// What it does NOT do: .NET-only regular expression syntax, filters on stream reads.
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type { ReadReq } from '@eventstore/db-client/generated/streams_pb.js';

export interface FilterableEvent {
  streamName: string;
  type: string;
}

export interface EventFilter {
  allows(e: FilterableEvent): boolean;
  /** Considered events between two checkpoints of a filtered subscription. */
  checkpointInterval: number;
}

/** The server's default search window of a filtered read or subscription. */
const DEFAULT_MAX_SEARCH_WINDOW = 32;

const { FilterCase, WindowCase } = streamsPb.ReadReq.Options.FilterOptions;

function defaultAllows(e: FilterableEvent): boolean | undefined {
  if (!e.streamName.startsWith('$')) return true;
  if (e.streamName === '$epoch-information') return false;
  const psAll = '$persistentsubscription-$all::';
  if (e.streamName.startsWith(psAll) && (e.streamName.endsWith('-checkpoint') || e.streamName.endsWith('-parked')))
    return false;
  return undefined; // a system stream the default rule does not decide on
}

/** Builds the filter a read or subscription of $all asked for; null for NoFilter. */
export function filterFromOptions(options: ReadReq.Options.FilterOptions | undefined): EventFilter | null {
  if (!options) return null;
  const filterCase = options.getFilterCase();
  const expression =
    filterCase === FilterCase.STREAM_IDENTIFIER
      ? options.getStreamIdentifier()
      : filterCase === FilterCase.EVENT_TYPE
        ? options.getEventType()
        : undefined;
  if (!expression) throw new Error('a filter needs a stream identifier or an event type expression');
  const field = filterCase === FilterCase.STREAM_IDENTIFIER ? 'streamName' : 'type';
  const regex = expression.getRegex();
  const prefixes = expression.getPrefixList();
  const matches = regex
    ? (() => {
        const re = new RegExp(regex);
        return (value: string) => re.test(value);
      })()
    : (value: string) => prefixes.some((p) => value.startsWith(p));
  const window = options.getWindowCase() === WindowCase.MAX ? options.getMax() : DEFAULT_MAX_SEARCH_WINDOW;
  return {
    allows: (e) => defaultAllows(e) !== false && matches(e[field]),
    checkpointInterval: Math.max(1, options.getCheckpointintervalmultiplier()) * window,
  };
}
