import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { AttemptLimiter } from '../../src/common/attempt-limiter.js';
import { ManualClock } from '../../src/common/clock.js';
import { DomainError } from '../../src/common/errors/domain-error.js';
import { createRedis } from '../../src/infra/redis/redis.js';
import { deleteRedisKeys } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/test-env.js';

describe('AttemptLimiter (on a real Redis)', () => {
  const prefix = `sgtest-${randomBytes(4).toString('hex')}`;
  let redis: Redis;
  let n = 0;
  const aKey = () => `${prefix}:limiter:${n++}`;
  // The windows are the clock's: a test moves them by moving it, and real time plays no part.
  const clock = new ManualClock('2030-01-01T00:00:00Z');
  const limiter = (limit: number, windowMs: number) =>
    new AttemptLimiter(redis, clock, { limit, windowMs, unavailable: 'x' });
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteRedisKeys(prefix);
  });

  it('admits exactly `limit` of many parallel attempts', async () => {
    const key = aKey();
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => limiter(3, 60_000).hit(key)));
    expect(outcomes.filter((o) => o.admitted)).toHaveLength(3);
  });

  it('flags exactly one refusal per window as the first, and again in the next window', async () => {
    const key = aKey();
    const three = limiter(3, 60_000);
    const burst = () => Promise.all(Array.from({ length: 20 }, () => three.hit(key)));
    expect((await burst()).filter((o) => o.firstRefusal)).toHaveLength(1);
    clock.advance(59_999);
    const late = await burst();
    expect(late.filter((o) => o.admitted)).toHaveLength(0);
    expect(late.filter((o) => o.firstRefusal)).toHaveLength(0);
    clock.advance(1);
    const next = await burst();
    expect(next.filter((o) => o.admitted)).toHaveLength(3);
    expect(next.filter((o) => o.firstRefusal)).toHaveLength(1);
  });

  it('reports the time left in the window, which does not grow with further attempts', async () => {
    const key = aKey();
    const one = limiter(1, 60_000);
    await one.hit(key);
    clock.advance(5_000);
    const refused = await one.hit(key);
    expect(refused.admitted).toBe(false);
    expect(refused.retryAfterMs).toBe(55_000);
    clock.advance(50);
    expect((await one.hit(key)).retryAfterMs).toBe(54_950);
  });

  it('starts a new window after a reset', async () => {
    const key = aKey();
    const one = limiter(1, 60_000);
    await one.hit(key);
    expect((await one.hit(key)).admitted).toBe(false);
    await one.reset(key);
    expect((await one.hit(key)).admitted).toBe(true);
  });

  it('takes back a refunded attempt, so the limit admits one more', async () => {
    const key = aKey();
    const two = limiter(2, 60_000);
    const first = await two.hit(key);
    await two.hit(key);
    await two.refund(key, first);
    expect((await two.hit(key)).admitted).toBe(true);
    expect((await two.hit(key)).admitted).toBe(false);
  });

  it('takes nothing back from a window opened after the refunded attempt was counted', async () => {
    const key = aKey();
    const one = limiter(1, 60_000);
    const old = await one.hit(key);
    clock.advance(60_000);
    expect((await one.hit(key)).admitted).toBe(true);
    await one.refund(key, old);
    expect((await one.hit(key)).admitted).toBe(false);
  });

  it('fails closed with 503 service_unavailable when Redis is unreachable', async () => {
    const down = createRedis({ kind: 'url', url: 'redis://127.0.0.1:1' }, 'limiter-test', 'requests');
    down.on('error', () => undefined);
    try {
      const error = await new AttemptLimiter(down, clock, { limit: 1, windowMs: 1000, unavailable: 'Try later' })
        .hit(aKey())
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'service_unavailable', message: 'Try later' });
    } finally {
      down.disconnect();
    }
  });
});
