import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

// Per-customer data keys, kept in `pii_keys` wrapped by a master key from config. The master key
// never touches the database; a copy of the database alone opens nothing.

export interface MasterKeys {
  current: Buffer;
  /** Still unwraps during a rotation (`oms keys rewrap` moves every key to the current one). */
  previous: Buffer | null;
}

export class PiiKeyDestroyedError extends Error {
  override readonly name = 'PiiKeyDestroyedError';
}

const fingerprint = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 16);
const aad = (tenant: string, customerId: string) => Buffer.from(`pii-key/${tenant}/${customerId}`);

function wrap(master: Buffer, tenant: string, customerId: string, dataKey: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master, iv).setAAD(aad(tenant, customerId));
  const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]);
}

function unwrap(master: Buffer, tenant: string, customerId: string, wrapped: Buffer): Buffer {
  // iv (12) + tag (16) + a 32-byte key: anything shorter is not a wrapped key (and no truncated tag).
  if (wrapped.length !== 12 + 16 + 32) throw new Error(`wrapped data key of ${customerId} has the wrong length`);
  const decipher = createDecipheriv('aes-256-gcm', master, wrapped.subarray(0, 12), { authTagLength: 16 }).setAAD(
    aad(tenant, customerId),
  );
  decipher.setAuthTag(wrapped.subarray(12, 28));
  return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
}

interface KeyRow {
  customer_id: string;
  wrapped_key: Buffer;
  master_key_id: string;
}

/** Unwrapped keys stay in memory this long (so a forget reaches other processes within it), and at most this many. */
const CACHE_MS = 5000;
const CACHE_MAX = 10_000;

export class PiiKeys {
  private readonly cache = new Map<string, { key: Buffer | null; until: number }>();
  private readonly masters: Map<string, Buffer>;
  private readonly currentId: string;

  private readonly pool: pg.Pool;
  private readonly master: MasterKeys;

  constructor(pool: pg.Pool, master: MasterKeys) {
    this.pool = pool;
    this.master = master;
    this.currentId = fingerprint(master.current);
    this.masters = new Map([[this.currentId, master.current]]);
    if (master.previous) this.masters.set(fingerprint(master.previous), master.previous);
  }

  /** The data keys of some customers of a tenant; null for a forgotten (or never keyed) customer. */
  async keysFor(tenant: string, customerIds: Iterable<string>): Promise<Map<string, Buffer | null>> {
    const now = Date.now();
    const out = new Map<string, Buffer | null>();
    const missing: string[] = [];
    for (const id of new Set(customerIds)) {
      const hit = this.cache.get(`${tenant}/${id}`);
      if (hit && hit.until >= now) out.set(id, hit.key);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const rows = (
        await this.pool.query<KeyRow>(
          'select customer_id, wrapped_key, master_key_id from pii_keys where tenant = $1 and customer_id = any($2)',
          [tenant, missing],
        )
      ).rows;
      const found = new Map(rows.map((r) => [r.customer_id, this.unwrapRow(tenant, r)]));
      for (const id of missing) {
        const key = found.get(id) ?? null;
        out.set(id, key);
        this.remember(`${tenant}/${id}`, key, now);
      }
    }
    return out;
  }

  /** The customer's data key, made on first use. A forgotten customer's key is never made again. */
  async keyForWriting(tenant: string, customerId: string): Promise<Buffer> {
    const known = (await this.keysFor(tenant, [customerId])).get(customerId);
    if (known) return known;
    const dataKey = randomBytes(32);
    const res = await this.pool.query<KeyRow>(
      `insert into pii_keys (tenant, customer_id, wrapped_key, master_key_id)
       select $1, $2, $3, $4
        where not exists (select 1 from pii_keys_destroyed where tenant = $1 and customer_id = $2)
       on conflict (tenant, customer_id) do update set tenant = excluded.tenant
       returning customer_id, wrapped_key, master_key_id`,
      [tenant, customerId, wrap(this.master.current, tenant, customerId, dataKey), this.currentId],
    );
    const row = res.rows[0];
    if (!row) throw new PiiKeyDestroyedError(`the personal data of customer ${customerId} was forgotten`);
    // On a race the row that won is the key, not the one made here.
    const key = this.unwrapRow(tenant, row);
    this.remember(`${tenant}/${customerId}`, key, Date.now());
    return key;
  }

  /** Crypto-shredding: the key is gone, so is every ciphertext made with it. Idempotent. */
  async destroy(tenant: string, customerId: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await client.query('delete from pii_keys where tenant = $1 and customer_id = $2', [tenant, customerId]);
      await client.query(
        'insert into pii_keys_destroyed (tenant, customer_id) values ($1, $2) on conflict do nothing',
        [tenant, customerId],
      );
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    this.cache.delete(`${tenant}/${customerId}`);
  }

  /** Re-wraps every key not under the current master key; returns how many. */
  async rewrap(): Promise<number> {
    const rows = (
      await this.pool.query<KeyRow & { tenant: string }>(
        'select tenant, customer_id, wrapped_key, master_key_id from pii_keys where master_key_id <> $1',
        [this.currentId],
      )
    ).rows;
    for (const r of rows) {
      const key = this.unwrapRow(r.tenant, r);
      await this.pool.query(
        'update pii_keys set wrapped_key = $3, master_key_id = $4 where tenant = $1 and customer_id = $2',
        [r.tenant, r.customer_id, wrap(this.master.current, r.tenant, r.customer_id, key), this.currentId],
      );
    }
    return rows.length;
  }

  private unwrapRow(tenant: string, r: KeyRow): Buffer {
    const master = this.masters.get(r.master_key_id);
    if (!master)
      throw new Error(
        `data key of ${r.customer_id} is wrapped by an unknown master key ${r.master_key_id}: set OMS_MASTER_KEY_PREVIOUS`,
      );
    return unwrap(master, tenant, r.customer_id, r.wrapped_key);
  }

  private remember(k: string, key: Buffer | null, now: number): void {
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(k, { key, until: now + CACHE_MS });
  }
}
