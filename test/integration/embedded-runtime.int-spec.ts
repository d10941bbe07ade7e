import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ConfigError, loadEnv } from '../../config/index.js';
import { loadOrCreateDevAuditSigningKeys } from '../../src/bootstrap/dev-audit-signing-keys.js';
import { loadOrCreateDevEncryptionKeys } from '../../src/bootstrap/dev-encryption-keys.js';
import { EMBEDDED_POOL_MAX, startEmbeddedPostgres } from '../../src/bootstrap/embedded-postgres.js';
import {
  answersPing,
  findOnPath,
  freePort,
  LOCAL_REDIS_URL,
  resolveLocalRedis,
  spawnRedisServer,
} from '../../src/bootstrap/embedded-redis.js';
import { resolveRuntime } from '../../src/bootstrap/resolve-runtime.js';
import { Tenant } from '../../src/identity/tenant.entity.js';
import { ENTITIES } from '../../src/app/entities.js';
import { ormConfig } from '../../src/infra/database/orm-config.js';

// Each embedded database is a private PGlite in a temporary directory, never the shared test server.
// Its first start runs initdb (several seconds), so the database tests share one directory.
const SLOW = 60_000;
const KEYS = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const redisServer = await findOnPath('redis-server');

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'stepguard-embedded-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('embedded PostgreSQL', () => {
  const dataDir = () => join(root, 'db');

  it(
    'runs the migrations and transactions over the wire protocol and keeps committed data across a restart',
    async () => {
      const first = await startEmbeddedPostgres(dataDir());
      try {
        expect(first.url).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
        await withOrm(first.url, async (orm) => {
          await orm.migrator.up();
          await orm.em.fork().transactional(async (em) => {
            em.persist(new Tenant('acme', 'Acme', new Date()));
            const upsert = `insert into audit_chains (chain_key, last_seq, last_hash) values ('acme', 0, 'genesis')
              on conflict (chain_key) do update set last_seq = audit_chains.last_seq + 1 returning last_seq`;
            expect(await em.execute(upsert)).toEqual([{ last_seq: '0' }]);
            expect(await em.execute(upsert)).toEqual([{ last_seq: '1' }]);
            const locked = await em.execute(`select last_seq from audit_chains where chain_key = 'acme' for update`);
            expect(locked).toEqual([{ last_seq: '1' }]);
          });
          const failed = orm.em.fork().transactional(async (em) => {
            em.persist(new Tenant('ghost', 'Ghost', new Date()));
            await em.flush();
            throw new Error('abandoned');
          });
          await expect(failed).rejects.toThrow('abandoned');
        });
      } finally {
        await first.stop();
      }

      const second = await startEmbeddedPostgres(dataDir());
      try {
        await withOrm(second.url, async (orm) => {
          expect(await orm.migrator.getPending()).toEqual([]);
          const tenants = await orm.em.fork().find(Tenant, {});
          expect(tenants.map((t) => t.slug)).toEqual(['acme']);
        });
      } finally {
        await second.stop();
      }
    },
    SLOW,
  );

  it(
    'refuses a second start on a data directory in use, and frees it on stop',
    async () => {
      const running = await startEmbeddedPostgres(dataDir());
      try {
        await expect(startEmbeddedPostgres(dataDir())).rejects.toThrow(ConfigError);
        await expect(startEmbeddedPostgres(dataDir())).rejects.toThrow(/in use by process \d+.*set DATABASE_URL/);
      } finally {
        await running.stop();
      }
      expect(await readdir(dataDir())).not.toContain('pgdata.lock');
    },
    SLOW,
  );

  it(
    'is what the runtime uses without DATABASE_URL, with a pool of one whatever DATABASE_POOL_MAX says',
    async () => {
      const lines: string[] = [];
      const env = loadEnv({ STEPGUARD_DATA_DIR: dataDir(), DATABASE_POOL_MAX: '10', REDIS_URL: 'redis://127.0.0.1:1' });
      const runtime = await resolveRuntime(env, (line) => lines.push(line));
      try {
        expect(runtime.config.env.DATABASE_POOL_MAX).toBe(EMBEDDED_POOL_MAX);
        expect(lines.join('\n')).toContain('DATABASE_POOL_MAX=10 ignored');
        const client = new pg.Client({ connectionString: runtime.config.databaseUrl });
        await client.connect();
        const { rows } = await client.query('select slug from tenants');
        await client.end();
        expect(rows).toEqual([{ slug: 'acme' }]);
      } finally {
        await runtime.stop();
      }
    },
    SLOW,
  );
});

describe('Redis resolution', () => {
  it('takes REDIS_URL, DATABASE_URL and the keys from the environment and starts nothing', async () => {
    const env = loadEnv({
      STEPGUARD_DATA_DIR: join(root, 'given'),
      DATABASE_URL: 'postgresql://db.example:5432/stepguard',
      DATABASE_POOL_MAX: '7',
      REDIS_URL: 'redis://cache.example:6380',
      STEPGUARD_ENCRYPTION_KEYS: KEYS,
      STEPGUARD_AUDIT_SIGNING_KEY: KEYS,
    });
    const runtime = await resolveRuntime(env, () => undefined);
    expect(runtime.config.databaseUrl).toBe('postgresql://db.example:5432/stepguard');
    expect(runtime.config.env.DATABASE_POOL_MAX).toBe(7);
    expect(runtime.config.redis).toEqual({ kind: 'url', url: 'redis://cache.example:6380' });
    expect(runtime.config.encryptionKeys.map((k) => k.id)).toEqual(['k1']);
    expect(runtime.config.auditSigningKeys.map((k) => k.id)).toEqual(['k1']);
    expect(await readdir(join(root, 'given'))).toEqual([]);
    await runtime.stop();
  });

  it('takes the Sentinel master set of REDIS_SENTINELS and starts no Redis', async () => {
    const env = loadEnv({
      STEPGUARD_DATA_DIR: join(root, 'sentinels'),
      DATABASE_URL: 'postgresql://db.example:5432/stepguard',
      REDIS_SENTINELS: 'sentinel-0:26379,[fd00::1]:26380',
      REDIS_SENTINEL_NAME: 'stepguard',
      REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
      REDIS_USERNAME: 'app',
      REDIS_PASSWORD: 'data-pw',
      STEPGUARD_ENCRYPTION_KEYS: KEYS,
      STEPGUARD_AUDIT_SIGNING_KEY: KEYS,
    });
    const runtime = await resolveRuntime(env, () => undefined);
    expect(runtime.config.redis).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: 'sentinel-0', port: 26379 },
        { host: 'fd00::1', port: 26380 },
      ],
      name: 'stepguard',
      sentinelPassword: 'sentinel-pw',
      username: 'app',
      password: 'data-pw',
    });
    expect(await readdir(join(root, 'sentinels'))).toEqual([]);
    await runtime.stop();
  });

  it('uses the Redis answering on 127.0.0.1:6379 when REDIS_URL is unset', async () => {
    const local = await answersPing(LOCAL_REDIS_URL);
    const redis = await resolveLocalRedis(join(root, 'local'), () => undefined);
    try {
      if (local) expect(redis.url).toBe(LOCAL_REDIS_URL);
      expect(await answersPing(redis.url)).toBe(true);
    } finally {
      await redis.stop();
    }
  });

  it('says how to get Redis when nothing answers and redis-server is not on PATH', async () => {
    const unused = `redis://127.0.0.1:${await freePort()}`;
    const resolving = resolveLocalRedis(join(root, 'none'), () => undefined, { localUrl: unused, searchPath: '' });
    await expect(resolving).rejects.toThrow(ConfigError);
    await expect(
      resolveLocalRedis(join(root, 'none'), () => undefined, { localUrl: unused, searchPath: '' }),
    ).rejects.toThrow(/set REDIS_URL.*apt-get install redis-server/i);
  });

  (redisServer ? it : it.skip)(
    'spawns redis-server on a free port with its append-only data under the data directory, one per directory',
    async () => {
      const dataDir = join(root, 'spawned');
      const redis = await spawnRedisServer({ dataDir, port: await freePort() });
      try {
        const client = new Redis(redis.url, { lazyConnect: true });
        await client.connect();
        await client.set('stepguard:probe', '1');
        expect(await client.get('stepguard:probe')).toBe('1');
        client.disconnect();
        expect((await readdir(join(dataDir, 'redis'))).join(',')).toMatch(/appendonly/);
        const second = spawnRedisServer({ dataDir, port: await freePort() });
        await expect(second).rejects.toThrow(/redis-server left by an earlier run \(pid \d+\) still uses/);
      } finally {
        await redis.stop();
      }
      expect(await answersPing(redis.url)).toBe(false);
      expect(await readdir(join(dataDir, 'redis'))).not.toContain('redis.pid');
    },
    15_000,
  );

  it('reports a redis-server binary that does not exist', async () => {
    const spawning = spawnRedisServer({
      dataDir: join(root, 'broken'),
      port: await freePort(),
      binary: join(root, 'no-such-redis'),
    });
    await expect(spawning).rejects.toThrow(/redis-server did not start.*ENOENT/);
  });

  (redisServer ? it : it.skip)('reports why redis-server exited, from its log', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as AddressInfo).port;
    try {
      await expect(spawnRedisServer({ dataDir: join(root, 'port-taken'), port })).rejects.toThrow(
        /exited with 1.*in use/i,
      );
    } finally {
      taken.close();
    }
  });
});

describe('development encryption keys', () => {
  it('creates one key readable by the owner only, reuses it, and logs no key material', async () => {
    const dataDir = join(root, 'keys');
    await mkdir(dataDir);
    const lines: string[] = [];
    const first = await loadOrCreateDevEncryptionKeys(dataDir, (line) => lines.push(line));
    const second = await loadOrCreateDevEncryptionKeys(dataDir, (line) => lines.push(line));

    expect(first).toHaveLength(1);
    expect(first[0]!.id).toBe('dev1');
    expect(first[0]!.key).toHaveLength(32);
    expect(second).toEqual(first);
    const path = join(dataDir, 'encryption-keys');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe(`dev1:${first[0]!.key.toString('base64')}\n`);
    expect(lines.join('\n')).not.toContain(first[0]!.key.toString('base64'));
  });

  it('makes a key file that others can read private again', async () => {
    const dataDir = join(root, 'loose-keys');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'encryption-keys'), `${KEYS}\n`);
    await chmod(join(dataDir, 'encryption-keys'), 0o644);
    const keys = await loadOrCreateDevEncryptionKeys(dataDir, () => undefined);
    expect(keys.map((k) => k.id)).toEqual(['k1']);
    expect((await stat(join(dataDir, 'encryption-keys'))).mode & 0o777).toBe(0o600);
  });

  it('refuses a malformed key file rather than replacing it', async () => {
    const dataDir = join(root, 'bad-keys');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'encryption-keys'), 'dev1:tooshort\n', { mode: 0o600 });
    await expect(loadOrCreateDevEncryptionKeys(dataDir, () => undefined)).rejects.toThrow(ConfigError);
    expect(await readFile(join(dataDir, 'encryption-keys'), 'utf8')).toBe('dev1:tooshort\n');
  });

  it('are never made for production', async () => {
    const env = {
      ...loadEnv({ DATABASE_URL: 'postgresql://db.example/x', REDIS_URL: 'redis://r.example' }),
      NODE_ENV: 'production' as const,
    };
    await expect(resolveRuntime({ ...env, STEPGUARD_DATA_DIR: join(root, 'prod') }, () => undefined)).rejects.toThrow(
      'STEPGUARD_ENCRYPTION_KEYS: is required when NODE_ENV=production',
    );
    expect(await readdir(join(root, 'prod'))).toEqual([]);
  });
});

describe('development audit signing keys', () => {
  const given = {
    DATABASE_URL: 'postgresql://db.example/x',
    REDIS_URL: 'redis://r.example',
    STEPGUARD_ENCRYPTION_KEYS: KEYS,
  };

  it('creates one Ed25519 key in a file readable by the owner only, which every later start signs with', async () => {
    const dataDir = join(root, 'signing');
    const lines: string[] = [];
    const first = await resolveRuntime(loadEnv({ ...given, STEPGUARD_DATA_DIR: dataDir }), (line) => lines.push(line));
    const second = await resolveRuntime(loadEnv({ ...given, STEPGUARD_DATA_DIR: dataDir }), (line) => lines.push(line));
    const [key] = first.config.auditSigningKeys;
    expect(first.config.auditSigningKeys.map((k) => k.id)).toEqual(['dev1']);
    expect(key!.privateKey.asymmetricKeyType).toBe('ed25519');
    const publicOf = (k: typeof key) => k!.privateKey.export({ format: 'jwk' }).x;
    expect(publicOf(second.config.auditSigningKeys[0])).toBe(publicOf(key));
    const path = join(dataDir, 'audit-signing-keys');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(lines).toContain(`STEPGUARD_AUDIT_SIGNING_KEY is not set: created development keys in ${path} (ids: dev1)`);
    expect(lines).toContain(`STEPGUARD_AUDIT_SIGNING_KEY is not set: using development keys in ${path} (ids: dev1)`);
    expect(lines.join('\n')).not.toContain((await readFile(path, 'utf8')).split(':')[1]!.trim());
    await first.stop();
    await second.stop();
  });

  it('refuses a malformed key file rather than replacing it', async () => {
    const dataDir = join(root, 'bad-signing');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'audit-signing-keys'), `dev1:${Buffer.alloc(16).toString('base64')}\n`, {
      mode: 0o600,
    });
    await expect(loadOrCreateDevAuditSigningKeys(dataDir, () => undefined)).rejects.toThrow(
      /audit-signing-keys: must be a list of id:base64 pairs, each an Ed25519 key/,
    );
  });

  it('are never made for production', async () => {
    const env = { ...loadEnv(given), NODE_ENV: 'production' as const, STEPGUARD_DATA_DIR: join(root, 'prod-signing') };
    await expect(resolveRuntime(env, () => undefined)).rejects.toThrow(
      'STEPGUARD_AUDIT_SIGNING_KEY: is required when NODE_ENV=production',
    );
    expect(await readdir(join(root, 'prod-signing'))).toEqual([]);
  });
});

async function withOrm(url: string, work: (orm: MikroORM) => Promise<void>): Promise<void> {
  const orm = await MikroORM.init(ormConfig({ url, poolMax: EMBEDDED_POOL_MAX, entities: ENTITIES }));
  try {
    await work(orm);
  } finally {
    await orm.close(true);
  }
}
