import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { LoginBackoff } from '../../src/auth/login-backoff.js';
import { deleteRedisKeys } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/test-env.js';

describe('LoginBackoff refunds (on a real Redis)', () => {
  const prefix = `sgtest-${randomBytes(4).toString('hex')}`;
  let redis: Redis;
  let n = 0;
  const aKey = () => `${prefix}:backoff:${n++}`;
  const now = new Date('2030-01-01T00:00:00Z');
  let backoff: LoginBackoff;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
    backoff = new LoginBackoff(redis, {
      threshold: 2,
      baseMs: 1000,
      maxMs: 60_000,
      forgetAfterMs: 600_000,
      unavailable: 'x',
    });
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteRedisKeys(prefix);
  });

  it('reopens the gate that a refunded attempt shut, and shortens the streak', async () => {
    const key = aKey();
    expect((await backoff.attempt(key, now, false)).admitted).toBe(true);
    const second = await backoff.attempt(key, now, false);
    expect(second.admitted).toBe(true);
    expect(await backoff.attempt(key, now, false)).toMatchObject({ admitted: false, retryAfterMs: 1000 });

    await backoff.refund(key, second.counted!);
    expect((await backoff.attempt(key, now, false)).admitted).toBe(true);
    // That attempt is the streak's second again: the gate shuts behind it as it did the first time.
    expect(await backoff.attempt(key, now, false)).toMatchObject({ admitted: false, retryAfterMs: 1000 });
  });

  it('keeps the gate an attempt after the refunded one shut', async () => {
    const key = aKey();
    const first = await backoff.attempt(key, now, false);
    await backoff.attempt(key, now, false);
    await backoff.refund(key, first.counted!);
    expect(await backoff.attempt(key, now, false)).toMatchObject({ admitted: false, retryAfterMs: 1000 });
  });
});
