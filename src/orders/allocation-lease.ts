// The allocators' lease on a partition (tenant × SKU): a Postgres session advisory lock keyed by
// leaseKey(), and the one statement that finds, leases and reads a batch's partitions.
import type { DemandRow } from './allocation-demand.ts';

export interface Partition {
  tenant: string;
  sku: string;
}

/** A demand row as the allocators read it (`id`: its place in the queue). */
export type DemandRecord = DemandRow & { id: string };
export type LeaseRow = Partition & { key: string; leased: boolean };

export const leaseKey = (p: Partition) => `oms-allocation:${p.tenant}:${p.sku}`;
/** leaseKey() of an allocation_demand row, in SQL. */
const LEASE_KEY_SQL = `'oms-allocation:' || tenant || ':' || sku`;

/**
 * One statement: the partitions of the oldest demand rows outside the lease keys $1, a try at each
 * one's lease, and the oldest $2 demand rows of those leased (each partition's through its index on
 * (tenant, sku, id), never a scan of the queue). The rows are read on the statement's snapshot,
 * taken a moment before the leases: rows another allocator decided and deleted in that moment may
 * be read and decided again, which changes nothing. Answers JSON: { partitions, demand }.
 */
export const LEASE_SQL = `
  with partitions as materialized (
    select tenant, sku, key, pg_try_advisory_lock(hashtextextended(key, 0)) as leased
      from (select distinct tenant, sku, ${LEASE_KEY_SQL} as key
              from (select tenant, sku from allocation_demand
                     where sku <> '' and not (${LEASE_KEY_SQL} = any($1::text[]))
                     order by id limit $2) as oldest) as candidates),
  demand as (
    select d.id, d.tenant, d.sku, d.order_id, d.location, d.cause, d.correlation_id
      from partitions p
      cross join lateral (select * from allocation_demand a
                           where a.tenant = p.tenant and a.sku = p.sku
                           order by a.id limit $2) as d
     where p.leased
     order by d.id limit $2)
  select (select coalesce(json_agg(partitions), '[]') from partitions) as partitions,
         (select coalesce(json_agg(json_build_object('id', id::text, 'tenant', tenant, 'sku', sku,
                   'order_id', order_id, 'location', location, 'cause', cause, 'correlation_id', correlation_id)
                   order by id), '[]') from demand) as demand`;
