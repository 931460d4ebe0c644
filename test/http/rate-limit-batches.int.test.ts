// The rate limiter takes tokens from Redis in batches, per API process. Two limiters on one Redis
// prefix stand for two API processes: together they let through no more than the shared bucket
// holds plus what it refills meanwhile, while asking Redis once per batch, not per request.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RateLimiter, tokenBatchSize } from '../../src/http/rate-limiter.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { REDIS_URL } from '../support/database.ts';
import { waitFor } from '../support/wait.ts';

describe('Rate limiter: token batches per process', function () {
  this.timeout(30_000);
  const prefix = `oms-test-batches-${randomUUID()}`;
  const limiters: RateLimiter[] = [];
  after(async () => {
    for (const l of limiters) l.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  /** A limiter connected to Redis (until then it fails open). */
  const limiter = async () => {
    const l = new RateLimiter(REDIS_URL, prefix, 100, createLogger('silent'));
    limiters.push(l);
    await waitFor(
      () => l.take(`warm-up-${randomUUID()}`, 1000),
      (d) => !d.degraded,
      { what: 'the limiter connected' },
    );
    l.redisCalls = 0;
    return l;
  };

  it('two processes together stay within the shared bucket, with one Redis call per batch', async () => {
    const rate = 100; // a bucket of 200, batches of 10
    const [a, b] = [await limiter(), await limiter()];
    const started = performance.now();
    const decisions = await Promise.all(
      Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? a : b).take('cred-shared', rate)),
    );
    const elapsedSec = (performance.now() - started) / 1000;
    expect(decisions.some((d) => d.degraded)).to.equal(false);
    const allowed = decisions.filter((d) => d.allowed).length;
    const refilled = Math.ceil(rate * elapsedSec) + 1;
    expect(allowed, `allowed within ${elapsedSec.toFixed(2)} s`).to.be.at.most(2 * rate + refilled);
    // What one process holds unspent cannot serve the other: at most a batch each is lost.
    expect(allowed).to.be.at.least(2 * rate - 2 * tokenBatchSize(rate));
    expect(a.redisCalls + b.redisCalls, 'Redis calls').to.be.at.most(Math.ceil(allowed / tokenBatchSize(rate)) + 8);
    for (const d of decisions) expect(d.remaining).to.be.within(0, d.limit);
    const refused = decisions.find((d) => !d.allowed)!;
    expect(refused.retryAfterMs).to.be.greaterThan(0);
  });

  it('a low rate takes one token per call, as without batching', async () => {
    const l = await limiter();
    const decisions = await Promise.all(Array.from({ length: 8 }, () => l.take('cred-slow', 2)));
    expect(decisions.filter((d) => d.allowed)).to.have.length(4); // the bucket: 2 × 2/s
    expect(tokenBatchSize(2)).to.equal(1);
  });
});
