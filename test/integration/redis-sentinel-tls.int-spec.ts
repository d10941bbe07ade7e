import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { loadEnv } from '../../config/index.js';
import { redisTargetOf } from '../../src/common/redis-target.js';
import { closeRedis, createRedis } from '../../src/infra/redis/redis.js';
import { SentinelSet } from '../support/sentinel.js';
import { TestCa } from '../support/test-pki.js';

/**
 * Sentinels and data nodes that speak only TLS (no plain port), with certificates from a private CA:
 * Stepguard reaches the master with REDIS_TLS and that CA, and refuses the same servers under any other.
 */
describe('Redis through Sentinel over TLS', () => {
  let ca: TestCa;
  let otherCa: TestCa;
  let redis: SentinelSet;
  const clients: Redis[] = [];
  beforeAll(async () => {
    ca = await TestCa.create('redis');
    otherCa = await TestCa.create('other');
    const server = await ca.server('redis');
    redis = await SentinelSet.start({ caFile: ca.root.certFile, certFile: server.certFile, keyFile: server.keyFile });
  }, 60_000);
  afterAll(async () => {
    // A client refused by every sentinel ends once its pending retry has run: wait for that, not for time.
    const ended = clients.map((c) => (c.status === 'end' ? undefined : new Promise((r) => c.once('end', r))));
    await Promise.all(clients.map((client) => closeRedis(client)));
    await Promise.all(ended);
    await redis?.stop();
    await ca?.dispose();
    await otherCa?.dispose();
  });

  const connect = (env: Record<string, string>) => {
    const client = createRedis(redisTargetOf(loadEnv(env)), 'tls-test', 'requests');
    clients.push(client);
    return client;
  };

  it('reaches the master through the sentinels, verifying every certificate against REDIS_TLS_CA_FILE', async () => {
    const client = connect(redis.env);
    await client.set('stepguard-tls-probe', 'through sentinel');
    const master = redis.dataNode(await redis.masterPort());
    try {
      expect(await master.get('stepguard-tls-probe')).toBe('through sentinel');
    } finally {
      master.disconnect();
    }
  });

  it.each([
    ['a CA file of another CA', () => ({ REDIS_TLS_CA_FILE: otherCa.root.certFile })],
    ['the system CAs only', () => ({ REDIS_TLS_CA_FILE: '' })],
  ])('refuses the sentinels when their certificate is checked against %s', async (_case, override) => {
    const client = connect({ ...redis.env, ...override() });
    const errors: Error[] = [];
    client.on('error', (error: Error) => errors.push(error));
    await expect(client.ping()).rejects.toThrow();
    // ioredis reports the sentinels unreachable (the TLS error itself stays inside its sentinel client);
    // the servers are the ones the test above reaches, so what fails is the certificate check.
    expect(errors[0]?.message).toMatch(/^All sentinels are unreachable/);
  });
});
