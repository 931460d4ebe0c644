import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';

// A token bucket per credential in Redis, atomic across API processes. Capacity = 2 × the
// per-second rate, refilled continuously. Time is Redis's own (TIME), one clock for every API
// process: a host whose clock is off can neither refill a bucket early nor starve it.
// Each call takes up to ARGV[3] tokens at once (as many as the bucket holds): a process takes a
// batch and spends it locally (see RateLimiter.take), one Redis call per batch, not per request.
const SCRIPT = `
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or capacity
local ts = tonumber(b[2]) or now
tokens = math.min(capacity, tokens + (now - ts) * rate / 1000)
local granted = math.min(want, math.floor(tokens))
if granted < 0 then granted = 0 end
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
local wait = 0
if granted == 0 then wait = math.ceil((1 - tokens) * 1000 / rate) end
return { granted, math.floor(tokens), wait }
`;

/** Tokens a process takes from Redis per call: a tenth of a second's rate, at most 50 (1 below 20/s). */
export function tokenBatchSize(rate: number): number {
  return Math.max(1, Math.min(50, Math.floor(rate / 10)));
}

/** A batch is spent within this time or dropped (dropping is stricter, never looser). */
const BATCH_TTL_MS = 1000;

/** Tokens of one credential this process took from Redis and has not spent yet. */
interface LocalBatch {
  rate: number;
  tokens: number;
  /** What the Redis bucket held after the batch was taken. */
  redisRemaining: number;
  expires: number;
  /** The Redis call in flight for this credential, shared by the requests that wait on it. */
  refill: Promise<void> | null;
  /** The last refill found the bucket empty: refused until then (ms, Redis's wait). */
  emptyUntil: number;
  retryAfterMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Requests per second the bucket refills with. */
  rate: number;
  /** The bucket's size (2 × rate): the most requests a credential can send at once. */
  limit: number;
  /** Requests the bucket still holds, 0 ≤ remaining ≤ limit. */
  remaining: number;
  retryAfterMs: number;
  /** Redis did not answer: the request was let through (fail open). */
  degraded: boolean;
}

/**
 * Per-credential rate limiting with token batches: each API process takes tokens from the shared
 * Redis bucket in batches (tokenBatchSize) and spends them locally, so a request costs a Redis
 * round trip only once per batch. The limit holds across processes: every request spends a token
 * taken from the shared bucket, so no more requests pass than the bucket allows. What batching
 * changes is the other side, by at most a batch per process: tokens one process holds cannot serve
 * another's requests (those are refused while the bucket looks empty), and unspent tokens are
 * dropped after BATCH_TTL_MS.
 */
export class RateLimiter {
  private readonly redis: Redis;
  private lastFailure = 0;
  private lastLog = 0;
  private readonly local = new Map<string, LocalBatch>();
  /** Calls to Redis (tests, metrics). */
  redisCalls = 0;

  private readonly prefix: string;
  readonly perSecond: number;
  private readonly logger: Logger;

  constructor(redisUrl: string, prefix: string, perSecond: number, logger: Logger) {
    this.prefix = prefix;
    this.perSecond = perSecond;
    this.logger = logger;
    // Fail fast: no offline queue, no retries, so a Redis outage costs a request nothing but a log line.
    this.redis = new Redis(redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      commandTimeout: 1000,
      lazyConnect: false,
    });
    this.redis.on('error', () => {});
    this.redis.defineCommand('omsTakeTokens', { numberOfKeys: 1, lua: SCRIPT });
  }

  /** True when Redis failed the limiter within the last 10 s (shown in /readyz). */
  get degraded(): boolean {
    return Date.now() - this.lastFailure < 10_000;
  }

  /** One request of `credential` against a bucket refilled at `rate` per second (the default unless its tenant has its own). */
  async take(credential: string, rate = this.perSecond): Promise<RateDecision> {
    const limit = rate * 2;
    for (;;) {
      const now = Date.now();
      let batch = this.local.get(credential);
      // A changed rate (the tenant's limit was set) starts afresh: the tokens held were for the old one.
      if (!batch || batch.rate !== rate) {
        batch = { rate, tokens: 0, redisRemaining: 0, expires: 0, refill: null, emptyUntil: 0, retryAfterMs: 0 };
        this.local.set(credential, batch);
      }
      if (batch.tokens > 0 && batch.expires > now) {
        batch.tokens--;
        const remaining = Math.min(limit, batch.redisRemaining + batch.tokens);
        return { allowed: true, rate, limit, remaining, retryAfterMs: 0, degraded: false };
      }
      if (batch.emptyUntil > now && !batch.refill) {
        return { allowed: false, rate, limit, remaining: 0, retryAfterMs: batch.emptyUntil - now, degraded: false };
      }
      const b = batch;
      b.refill ??= this.refill(credential, b).finally(() => {
        b.refill = null;
      });
      const failed = await b.refill.then(
        () => null,
        (err: unknown) => err,
      );
      if (failed) return this.failOpen(failed, rate, limit);
      // Only a bucket found empty refuses; tokens the refill brought are taken on the next turn.
      if (batch.tokens === 0 && batch.emptyUntil > Date.now()) {
        return { allowed: false, rate, limit, remaining: 0, retryAfterMs: batch.retryAfterMs, degraded: false };
      }
    }
  }

  private async refill(credential: string, batch: LocalBatch): Promise<void> {
    this.redisCalls++;
    const [granted, remaining, wait] = (await (
      this.redis as unknown as { omsTakeTokens(k: string, ...a: number[]): Promise<number[]> }
    ).omsTakeTokens(
      `${this.prefix}:ratelimit:${credential}`,
      batch.rate,
      batch.rate * 2,
      tokenBatchSize(batch.rate),
    )) as [number, number, number];
    const now = Date.now();
    batch.tokens = granted;
    batch.redisRemaining = remaining;
    batch.expires = now + BATCH_TTL_MS;
    // An empty bucket refuses this credential here, without asking Redis, until it has refilled a token.
    batch.retryAfterMs = wait;
    batch.emptyUntil = granted === 0 ? now + wait : 0;
    if (this.local.size > 10_000) this.forgetIdle(now);
  }

  /** Drops the state of credentials (and client addresses) with nothing held and nothing pending. */
  private forgetIdle(now: number): void {
    for (const [k, b] of this.local) {
      if (!b.refill && b.expires <= now && b.emptyUntil <= now) this.local.delete(k);
    }
  }

  private failOpen(err: unknown, rate: number, limit: number): RateDecision {
    this.lastFailure = Date.now();
    if (Date.now() - this.lastLog > 5000) {
      this.lastLog = Date.now();
      this.logger.warn(
        { err: (err as Error).message },
        'rate limiter cannot reach Redis; letting requests through (fail open)',
      );
    }
    return { allowed: true, rate, limit, remaining: limit, retryAfterMs: 0, degraded: true };
  }

  close(): void {
    this.redis.disconnect();
  }
}
