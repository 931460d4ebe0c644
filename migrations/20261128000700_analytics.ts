import type { Knex } from 'knex';

// The analytics schema: tables for BI tools, projected from the event log (rebuildable like any
// read model). Day buckets are UTC dates.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create schema if not exists analytics;

    create table analytics.daily_orders (
      tenant            text   not null,
      day               date   not null,
      currency          text   not null,
      orders_placed     int    not null default 0,
      revenue_placed    bigint not null default 0,
      orders_cancelled  int    not null default 0,
      revenue_cancelled bigint not null default 0,
      primary key (tenant, day, currency)
    );

    create table analytics.sku_daily_units (
      tenant        text not null,
      sku           text not null,
      day           date not null,
      units_ordered int  not null default 0,
      units_shipped int  not null default 0,
      primary key (tenant, sku, day)
    );

    -- one row per order: the milestones of its fulfilment
    create table analytics.order_fulfillment (
      tenant           text        not null,
      order_id         text        not null,
      currency         text        not null,
      subtotal         bigint      not null,
      placed_at        timestamptz not null,
      confirmed_at     timestamptz,
      first_shipped_at timestamptz,
      delivered_at     timestamptz,
      cancelled_at     timestamptz,
      placed_to_confirmed_s  double precision generated always as (extract(epoch from confirmed_at - placed_at)) stored,
      placed_to_shipped_s    double precision generated always as (extract(epoch from first_shipped_at - placed_at)) stored,
      placed_to_delivered_s  double precision generated always as (extract(epoch from delivered_at - placed_at)) stored,
      primary key (tenant, order_id)
    );

    create table analytics.backorders (
      tenant         text        not null,
      order_id       text        not null,
      backordered_at timestamptz not null,
      resolved_at    timestamptz,
      resolution     text,
      duration_s     double precision generated always as (extract(epoch from resolved_at - backordered_at)) stored,
      primary key (tenant, order_id)
    );

    create table analytics.inventory_movements_daily (
      tenant        text   not null,
      sku           text   not null,
      location      text   not null,
      day           date   not null,
      reason        text   not null,
      movements     int    not null default 0,
      on_hand_delta bigint not null default 0,
      primary key (tenant, sku, location, day, reason)
    );

    create table analytics.shipment_exceptions (
      tenant     text not null,
      carrier    text not null,
      day        date not null,
      exceptions int  not null default 0,
      primary key (tenant, carrier, day)
    );

    -- lookup the projection keeps for itself: the carrier of each shipment
    create table analytics.shipment_carriers (
      tenant      text not null,
      shipment_id text not null,
      carrier     text not null,
      primary key (tenant, shipment_id)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema analytics cascade');
}
