import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadEnv } from '../../config/index.js';
import { redisTargetOf } from '../../src/common/redis-target.js';
import { loopbackServerCertificate } from '../support/test-certificates.js';

describe('redisTargetOf', () => {
  let dir: string;
  let caPem: string;
  let caFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stepguard-redis-target-'));
    caPem = loopbackServerCertificate().ca;
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, caPem);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const targetOf = (env: Record<string, string>, fallbackUrl?: string) => redisTargetOf(loadEnv(env), fallbackUrl);

  it('takes the Sentinel master set, its credentials and TLS with the CA file read at start-up', () => {
    const target = targetOf({
      REDIS_SENTINELS: 's0:26379,s1:26379',
      REDIS_SENTINEL_NAME: 'stepguard',
      REDIS_SENTINEL_PASSWORD: 'sp',
      REDIS_USERNAME: 'u',
      REDIS_PASSWORD: 'p',
      REDIS_TLS: 'true',
      REDIS_TLS_CA_FILE: caFile,
    });
    expect(target).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 's0', port: 26379 },
        { host: 's1', port: 26379 },
      ],
      name: 'stepguard',
      sentinelPassword: 'sp',
      username: 'u',
      password: 'p',
      tls: { ca: Buffer.from(caPem) },
    });
  });

  it('takes REDIS_URL, TLS for rediss:// with the system CAs unless a CA file is given', () => {
    expect(targetOf({ REDIS_URL: 'redis://cache:6379', REDIS_PASSWORD: 'p' })).toEqual({
      kind: 'url',
      url: 'redis://cache:6379',
      password: 'p',
    });
    expect(targetOf({ REDIS_URL: 'rediss://cache:6380' })).toEqual({
      kind: 'url',
      url: 'rediss://cache:6380',
      tls: {},
    });
    expect(targetOf({ REDIS_URL: 'rediss://cache:6380', REDIS_TLS_CA_FILE: caFile }).tls).toEqual({
      ca: Buffer.from(caPem),
    });
  });

  it('falls back to the local Redis of a development start only when neither is set', () => {
    expect(targetOf({}, 'redis://127.0.0.1:6379')).toEqual({ kind: 'url', url: 'redis://127.0.0.1:6379' });
    expect(() => targetOf({})).toThrow(ConfigError);
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.pem')],
    [
      'a file that holds no certificate',
      () => (writeFileSync(join(dir, 'key.pem'), 'not a certificate'), join(dir, 'key.pem')),
    ],
  ])('stops start-up on a CA file that is %s, naming the setting', (_case, file) => {
    let error: unknown;
    try {
      targetOf({ REDIS_SENTINELS: 's0:26379', REDIS_TLS: 'true', REDIS_TLS_CA_FILE: file() });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^REDIS_TLS_CA_FILE: /);
  });
});
