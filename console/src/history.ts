import { evolveOrder } from '../../domain/orders/evolve.ts';
import type { OrderEvent } from '../../domain/orders/events.ts';
import type { OrderState } from '../../domain/orders/state.ts';
import { ok, oms, type RecordedEvent } from './api.ts';

/** The /events lists the console follows (all answer the same page of recorded events). */
export type History = { order: string } | { sku: string };

/** Every event of an order's or a SKU's history, oldest first (the /events pages followed to the end). */
export async function wholeHistory(of: History): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let cursor: string | undefined;
  do {
    const query = { limit: 200, cursor };
    const page = await ok(
      'order' in of
        ? oms.GET('/v1/orders/{id}/events', { params: { path: { id: of.order }, query } })
        : oms.GET('/v1/inventory/{sku}/events', { params: { path: { sku: of.sku }, query } }),
    );
    events.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return events;
}

export interface Holding {
  sku: string;
  location: string;
  reserved: number;
  shipped: number;
}

/**
 * What the order holds per SKU and location after its first `version` events, folded with the
 * domain's own evolve (the same code the server folds with), so it cannot disagree with the order.
 */
export function holdingsAt(history: RecordedEvent[], version: number): Holding[] {
  let state: OrderState = { status: 'none' };
  for (const e of history) {
    if (e.revision > version) break;
    state = evolveOrder(state, { type: e.type, data: e.data } as unknown as OrderEvent);
  }
  if (state.status === 'none') return [];
  const rows: Holding[] = [];
  for (const l of state.lines) {
    const locations = new Set([...Object.keys(l.reserved), ...Object.keys(l.shipped)]);
    for (const location of [...locations].sort())
      rows.push({ sku: l.sku, location, reserved: l.reserved[location] ?? 0, shipped: l.shipped[location] ?? 0 });
  }
  return rows;
}
