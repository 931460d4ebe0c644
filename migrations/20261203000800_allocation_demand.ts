import type { Knex } from 'knex';

// The allocator's work queue: one row per "this order's demand for this SKU may have changed"
// (order_id set), "stock may have come free at this location" (order_id ''), or "find which SKUs
// this order concerns" (sku ''). The allocation-demand projection writes rows in the same
// transaction as its checkpoint, so none is lost or written twice; the allocators delete what they
// have decided. `id` gives the arrival order (FIFO); `cause` and `correlation_id` come from the event.
//
// The projection starts where the job dispatcher is: older events already had their allocation
// jobs, which still run.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table allocation_demand (
      id             bigserial primary key,
      tenant         text not null,
      sku            text not null,
      order_id       text not null default '',
      location       text not null default '',
      cause          uuid,
      correlation_id text,
      created_at     timestamptz not null default now()
    );
    create index allocation_demand_partition on allocation_demand (tenant, sku, id);
    create index allocation_demand_unexpanded on allocation_demand (id) where sku = '';
    insert into projection_checkpoints (name, position_commit, position_prepare)
      select 'allocation-demand', position_commit, position_prepare
      from projection_checkpoints where name = 'job-dispatcher'
      on conflict (name) do nothing;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table allocation_demand; delete from projection_checkpoints where name = 'allocation-demand'`);
}
