// Is it there? TCP connects, `select 1` and PING with short timeouts and no retries, for the
// configured URLs and for the servers ensureServices() starts.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pgConnection } from '../../src/db/ssl.ts';

export const PROBE_TIMEOUT_MS = 1500;

export interface Probe {
  ok: boolean;
  reason: string;
}

/** The URL with any password replaced, for log lines and error messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

export function firstLine(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = (e?.message || String(err)).split('\n')[0]!.trim();
  return e?.code && !msg.includes(e.code) ? `${e.code}: ${msg}` : msg || 'unknown error';
}

export function tcpProbe(host: string, port: number, timeoutMs = PROBE_TIMEOUT_MS): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (p: Probe) => {
      socket.destroy();
      resolve(p);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, reason: `TCP connect to ${host}:${port} timed out` }));
    socket.once('connect', () => done({ ok: true, reason: 'TCP connect ok' }));
    socket.once('error', (err) =>
      done({ ok: false, reason: `TCP connect to ${host}:${port} failed (${firstLine(err)})` }),
    );
  });
}

export function hostPort(url: string, defaultPort: number): { host: string; port: number } | null {
  try {
    const u = new URL(url);
    const host = decodeURIComponent(u.hostname).replace(/^\[|\]$/g, '');
    if (!host || host.startsWith('/')) return null; // Unix socket: let the client try it
    return { host, port: u.port ? Number(u.port) : defaultPort };
  } catch {
    return null;
  }
}

export async function probePostgresDetailed(url: string): Promise<Probe & { missingDb?: boolean }> {
  const hp = hostPort(url, 5432);
  if (hp) {
    const tcp = await tcpProbe(hp.host, hp.port);
    if (!tcp.ok) return tcp;
  }
  const client = new pg.Client({
    ...pgConnection(url),
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
    query_timeout: PROBE_TIMEOUT_MS,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true, reason: 'select 1 ok' };
  } catch (err) {
    // The server answers but the database is not there yet: a server we can use (we create it).
    if ((err as { code?: string }).code === '3D000') return { ok: false, missingDb: true, reason: firstLine(err) };
    return { ok: false, reason: firstLine(err) };
  } finally {
    await client.end().catch(() => {});
  }
}

/** True when `select 1` works at the URL (short timeouts, no retries). */
export async function postgresAnswers(url: string): Promise<boolean> {
  return (await probePostgresDetailed(url)).ok;
}

export async function probeRedisDetailed(url: string): Promise<Probe> {
  const hp = hostPort(url, 6379);
  if (hp) {
    const tcp = await tcpProbe(hp.host, hp.port);
    if (!tcp.ok) return tcp;
  }
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    commandTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const pong = await redis.ping();
    return pong === 'PONG' ? { ok: true, reason: 'PING ok' } : { ok: false, reason: `PING answered ${pong}` };
  } catch (err) {
    return { ok: false, reason: firstLine(err) };
  } finally {
    redis.disconnect();
  }
}

/** True when PING works at the URL (short timeouts, no retries). */
export async function redisAnswers(url: string): Promise<boolean> {
  return (await probeRedisDetailed(url)).ok;
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}
