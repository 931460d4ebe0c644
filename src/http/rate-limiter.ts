import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.ts';

// A token bucket per credential in Redis (one Lua call per request: atomic across API processes).
// Capacity = 2 × the per-second rate, refilled continuously. Time is Redis's own (TIME), one clock
// for every API process: a host whose clock is off can neither refill a bucket early nor starve it.
const SCRIPT = `
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or capacity
local ts = tonumber(b[2]) or now
tokens = math.min(capacity, tokens + (now - ts) * rate / 1000)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
local wait = 0
if allowed == 0 then wait = math.ceil((1 - tokens) * 1000 / rate) end
return { allowed, math.floor(tokens), wait }
`;

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

export class RateLimiter {
  private readonly redis: Redis;
  private lastFailure = 0;
  private lastLog = 0;

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
    this.redis.defineCommand('omsTakeToken', { numberOfKeys: 1, lua: SCRIPT });
  }

  /** True when Redis failed the limiter within the last 10 s (shown in /readyz). */
  get degraded(): boolean {
    return Date.now() - this.lastFailure < 10_000;
  }

  /** One request of `credential` against a bucket refilled at `rate` per second (the default unless its tenant has its own). */
  async take(credential: string, rate = this.perSecond): Promise<RateDecision> {
    const limit = rate * 2;
    try {
      const [allowed, remaining, wait] = (await (
        this.redis as unknown as { omsTakeToken(k: string, ...a: number[]): Promise<number[]> }
      ).omsTakeToken(`${this.prefix}:ratelimit:${credential}`, rate, limit)) as [number, number, number];
      return {
        allowed: allowed === 1,
        rate,
        limit,
        remaining: Math.min(remaining, limit),
        retryAfterMs: wait,
        degraded: false,
      };
    } catch (err) {
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
  }

  close(): void {
    this.redis.disconnect();
  }
}
