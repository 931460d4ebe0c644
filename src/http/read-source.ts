/**
 * On by-id GETs: where the answer came from. `read-model`: the projected row. `stream`: the entity's
 * events folded (time travel, a row missing or behind Oms-Min-Position, or a stale row whose event is
 * parked). Clients need not act on it; it tells them (and support) why an answer may differ from a list.
 */
export const READ_SOURCE_HEADER = 'Oms-Read-Source';
