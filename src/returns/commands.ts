// The returns' commands. Each decides on every stream it touches and appends them in one write
// (write.ts): requesting claims the order's shipped units, rejecting gives the claim back,
// receiving puts resellable units back on hand (a `returned` adjustment, which wakes backorders
// like any restock) and records damaged ones in the ledger only.
import { inventoryDecider } from '../../domain/inventory/decider.ts';
import type { InventoryCommand } from '../../domain/inventory/commands.ts';
import type { InventoryEvent } from '../../domain/inventory/events.ts';
import { orderDecider } from '../../domain/orders/decider.ts';
import { orderNotFound } from '../../domain/orders/errors.ts';
import type { ShipmentLine } from '../../domain/orders/events.ts';
import { returnDecider } from '../../domain/returns/decider.ts';
import { returnNotFound } from '../../domain/returns/errors.ts';
import type { ReceivedLine, ReturnLine } from '../../domain/returns/events.ts';
import { decideOrderReturn } from '../../domain/returns/order-side.ts';
import type { ActiveReturn, ReturnState } from '../../domain/returns/state.ts';
import { type CommandContext, newResourceId } from '../commands/context.ts';
import { comparePositions, type EventStore, type Position } from '../eventstore/port.ts';
import { DEFAULT_LOCATION, inventoryStates, inventoryStream, locationCode } from '../inventory/streams.ts';
import type { Metrics } from '../observability/metrics.ts';
import { loadOrder, orderStream } from '../orders/commands.ts';
import { loadReturn, returnStream } from './streams.ts';
import { returnView, type ReturnView } from './view.ts';
import { type DecidedPart, decideAndAppend } from './write.ts';

export interface ReturnDeps {
  store: EventStore;
  metrics?: Metrics;
}

export interface ReturnResult {
  return: ReturnView;
  position: Position | null;
}

const existing = (state: ReturnState, id: string): ActiveReturn => {
  if (state.status === 'none') throw returnNotFound(id);
  return state;
};

/** The return as stored after a write, with the position of the write. */
async function answer(deps: ReturnDeps, ctx: CommandContext, id: string, positions: Map<string, Position>) {
  const { state, version, events } = await loadReturn(deps.store, ctx.tenant, id);
  const position = positions.size
    ? [...positions.values()].reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b))
    : null;
  return {
    return: returnView(existing(state, id), version),
    position: position ?? events[events.length - 1]?.position ?? null,
  };
}

export async function requestReturn(
  deps: ReturnDeps,
  ctx: CommandContext,
  input: { orderId: string; lines: Omit<ReturnLine, 'unitPrice'>[]; note: string | null },
): Promise<ReturnResult> {
  const returnId = newResourceId(ctx, 'ret');
  const positions = await decideAndAppend(deps, ctx, 'RequestReturn', async () => {
    const order = await loadOrder(deps.store, ctx.tenant, input.orderId);
    if (order.state.status === 'none') throw orderNotFound(input.orderId);
    const o = order.state;
    // The return's own rules first (one line per SKU), then the order's (what may be returned).
    const lines = input.lines.map((l) => ({ ...l, unitPrice: o.lines.find((x) => x.sku === l.sku)?.unitPrice ?? 0 }));
    const requested = returnDecider.decide(
      {
        type: 'RequestReturn',
        data: { returnId, orderId: o.orderId, currency: o.currency, lines, note: input.note, now: ctx.now },
      },
      returnDecider.initialState(),
    );
    const claim = decideOrderReturn(
      { type: 'ClaimReturnUnits', data: { returnId, lines: input.lines.map(unitsOnly), now: ctx.now } },
      o,
    );
    // The order first: where writes are not one transaction (EventStoreDB), a concurrent claim fails
    // the write before the return exists.
    return [
      { stream: orderStream(ctx.tenant, input.orderId), version: order.version, events: claim },
      { stream: returnStream(ctx.tenant, returnId), version: 0, events: requested },
    ];
  });
  return answer(deps, ctx, returnId, positions);
}

const unitsOnly = (l: { sku: string; quantity: number }): ShipmentLine => ({ sku: l.sku, quantity: l.quantity });

export async function approveReturn(deps: ReturnDeps, ctx: CommandContext, id: string): Promise<ReturnResult> {
  const positions = await decideAndAppend(deps, ctx, 'ApproveReturn', async () => {
    const r = await loadReturn(deps.store, ctx.tenant, id);
    existing(r.state, id);
    const events = returnDecider.decide({ type: 'ApproveReturn', data: { now: ctx.now } }, r.state);
    return [{ stream: returnStream(ctx.tenant, id), version: r.version, events }];
  });
  return answer(deps, ctx, id, positions);
}

export async function rejectReturn(
  deps: ReturnDeps,
  ctx: CommandContext,
  id: string,
  reason: string,
): Promise<ReturnResult> {
  const positions = await decideAndAppend(deps, ctx, 'RejectReturn', async () => {
    const r = await loadReturn(deps.store, ctx.tenant, id);
    const ret = existing(r.state, id);
    const events = returnDecider.decide({ type: 'RejectReturn', data: { reason, now: ctx.now } }, r.state);
    const order = await loadOrder(deps.store, ctx.tenant, ret.orderId);
    const release = decideOrderReturn(
      { type: 'ReleaseReturnClaim', data: { returnId: id, now: ctx.now } },
      order.state,
    );
    return [
      { stream: orderStream(ctx.tenant, ret.orderId), version: order.version, events: release },
      { stream: returnStream(ctx.tenant, id), version: r.version, events },
    ];
  });
  return answer(deps, ctx, id, positions);
}

export async function receiveReturn(
  deps: ReturnDeps,
  ctx: CommandContext,
  id: string,
  input: { location?: string; lines: ReceivedLine[] },
): Promise<ReturnResult> {
  const location = input.location !== undefined ? locationCode(input.location) : DEFAULT_LOCATION;
  const positions = await decideAndAppend(deps, ctx, 'ReceiveReturn', async () => {
    const r = await loadReturn(deps.store, ctx.tenant, id);
    const ret = existing(r.state, id);
    const events = returnDecider.decide(
      { type: 'ReceiveReturn', data: { location, lines: input.lines, now: ctx.now } },
      r.state,
    );
    const order = await loadOrder(deps.store, ctx.tenant, ret.orderId);
    const back = decideOrderReturn(
      { type: 'RecordUnitsReturned', data: { returnId: id, lines: input.lines.map(unitsOnly), now: ctx.now } },
      order.state,
    );
    return [
      { stream: returnStream(ctx.tenant, id), version: r.version, events },
      { stream: orderStream(ctx.tenant, ret.orderId), version: order.version, events: back },
      ...(await inventoryParts(deps, ctx, id, ret.orderId, location, input.lines)),
    ];
  });
  return answer(deps, ctx, id, positions);
}

/** Per SKU at the location: resellable units go on hand (reason returned), damaged ones into the ledger only. */
async function inventoryParts(
  deps: ReturnDeps,
  ctx: CommandContext,
  returnId: string,
  orderId: string,
  location: string,
  lines: ReceivedLine[],
): Promise<DecidedPart[]> {
  const parts: DecidedPart[] = [];
  for (const sku of new Set(lines.map((l) => l.sku))) {
    const stream = inventoryStream(ctx.tenant, sku, location);
    const loaded = await inventoryStates(deps.store).load(deps.store, stream);
    let state = loaded.state;
    const events: InventoryEvent[] = [];
    const target = { sku, location, now: ctx.now };
    const commands: InventoryCommand[] = [];
    const units = (condition: ReceivedLine['condition']) =>
      lines.filter((l) => l.sku === sku && l.condition === condition).reduce((n, l) => n + l.quantity, 0);
    if (units('resellable') > 0)
      commands.push({
        type: 'AdjustStock',
        data: { ...target, delta: units('resellable'), reason: 'returned', reference: returnId },
      });
    if (units('damaged') > 0)
      commands.push({
        type: 'RecordDamagedReturn',
        data: { ...target, quantity: units('damaged'), orderId, returnId },
      });
    for (const c of commands) {
      const decided = inventoryDecider.decide(c, state);
      for (const e of decided) state = inventoryDecider.evolve(state, e);
      events.push(...decided);
    }
    parts.push({ stream, version: loaded.version, events });
  }
  return parts;
}

export async function recordReturnRefund(
  deps: ReturnDeps,
  ctx: CommandContext,
  id: string,
  input: { amount: number; reference: string },
): Promise<ReturnResult> {
  const refundId = newResourceId(ctx, 'rfd');
  const positions = await decideAndAppend(deps, ctx, 'RecordReturnRefund', async () => {
    const r = await loadReturn(deps.store, ctx.tenant, id);
    const ret = existing(r.state, id);
    // The return's rules (its status, what its units were worth), then the order's: no more than
    // was captured and not yet refunded. Both streams take the refund in the same write.
    const events = returnDecider.decide(
      { type: 'RecordReturnRefund', data: { refundId, ...input, now: ctx.now } },
      r.state,
    );
    const order = await loadOrder(deps.store, ctx.tenant, ret.orderId);
    const refunded = orderDecider.decide(
      { type: 'RecordRefund', data: { refundId, returnId: id, ...input, at: ctx.now } },
      order.state,
    );
    return [
      { stream: orderStream(ctx.tenant, ret.orderId), version: order.version, events: refunded },
      { stream: returnStream(ctx.tenant, id), version: r.version, events },
    ];
  });
  return answer(deps, ctx, id, positions);
}
