import { randomUUID } from 'node:crypto';
import type { CommandContext } from '../commands/context.ts';
import { loadConfig } from '../config/config.ts';
import { registerCustomer } from '../customers/commands.ts';
import { ensureDatabase } from '../db/ensure-database.ts';
import { adjustStock } from '../inventory/commands.ts';
import { createLogger } from '../observability/logger.ts';
import { placeOrder } from '../orders/commands.ts';
import { Runtime } from '../runtime/runtime.ts';

const SKUS = ['TSHIRT-BLK-M', 'TSHIRT-WHT-L', 'MUG-LOGO', 'CAP-NAVY'];

/** `oms seed-demo`: a demo tenant with an API key, customers, stock in two locations and some orders. */
export async function seedDemo(opts: { tenant?: string; json?: boolean }): Promise<void> {
  const tenant = opts.tenant ?? 'demo';
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const runtime = await Runtime.create(config, { logger: createLogger('warn', { stderr: true }) });
  try {
    await runtime.migrate();
    const key = await runtime.services.apiKeys.create(tenant, ['*'], 'seed-demo');
    const ctx = (): CommandContext => ({
      tenant,
      actor: key.id,
      correlationId: `seed-${randomUUID()}`,
      causationId: null,
      now: new Date().toISOString(),
    });
    const deps = {
      store: runtime.services.store,
      metrics: runtime.services.metrics,
      emailHashKey: config.emailHashKey,
    };
    for (const [i, sku] of SKUS.entries()) {
      await adjustStock(deps, ctx(), {
        sku,
        location: 'default',
        delta: 5 + i * 5,
        reason: 'received',
        reference: 'PO-DEMO-1',
      });
      await adjustStock(deps, ctx(), { sku, location: 'east', delta: 3, reason: 'received', reference: 'PO-DEMO-2' });
    }
    const customers = [];
    for (const [name, email] of [
      ['Ada Lovelace', 'ada'],
      ['Grace Hopper', 'grace'],
      ['Alan Turing', 'alan'],
    ] as const) {
      const { customer } = await registerCustomer(deps, ctx(), {
        pii: {
          email: `${email}+${Date.now()}@example.com`,
          name,
          phone: null,
          addresses: [{ line1: '1 Demo Street', city: 'Hamburg', country: 'DE' }],
        },
        externalId: null,
      });
      customers.push(customer);
    }
    const orders = [];
    for (let i = 0; i < 6; i++) {
      const c = customers[i % customers.length]!;
      const { order } = await placeOrder(deps, ctx(), {
        customerId: c.id,
        currency: 'EUR',
        lines: [{ sku: SKUS[i % SKUS.length]!, quantity: 1 + (i % 3), unitPrice: 1999 }],
        shippingAddress: c.addresses[0]!,
        externalId: null,
        notes: null,
      });
      orders.push(order.id);
    }
    const summary = { tenant, key: key.key, keyId: key.id, customers: customers.map((c) => c.id), orders, skus: SKUS };
    if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      process.stdout.write(
        `seeded tenant ${tenant}: ${customers.length} customers, ${SKUS.length} SKUs in 2 locations, ${orders.length} orders (allocated by a running worker)\n` +
          `API key (shown once): ${key.key}\n` +
          `try: curl -s localhost:${config.port}/v1/orders -H "Authorization: Bearer ${key.key}"\n`,
      );
    }
  } finally {
    await runtime.stop();
  }
}
