import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { AppModule } from '../../src/app/app.module.js';
import { createHttpApp } from '../../src/app/create-http-app.js';
import { AuditLog, AuditVerifier, PurgeAuditLogCommand } from '../../src/audit/index.js';
import { SYSTEM_ACTOR } from '../../src/common/actor.js';
import type { AppConfig } from '../../src/common/app-config.js';
import { ManualClock } from '../../src/common/clock.js';
import { runMigrations } from '../../src/infra/database/migrate.js';
import { aTenant } from '../support/builders.js';
import { cli } from '../support/cli.js';
import { HttpClient } from '../support/http.js';
import { ADMIN_URL, assertTestDatabase, databaseUrl, dropDatabase, withAdminClient } from '../support/postgres.js';
import { deleteRedisKeys } from '../support/redis.js';
import { testConfig } from '../support/test-env.js';

const ROLES_SQL = fileURLToPath(new URL('../../docker/postgres/roles.sql', import.meta.url));

/**
 * The deployment of docker-compose.yml, on the test server: docker/postgres/roles.sql makes an owner
 * role and an application role on an empty database, migrations run as the owner, the app as the
 * application role. Role names are unique to the run (roles are cluster-wide) and dropped after it.
 */
describe('the application running as a non-owner role', () => {
  const suffix = randomBytes(4).toString('hex');
  const name = `stepguard_test_roles_${suffix}`;
  const owner = `stepguard_test_owner_${suffix}`;
  const appRole = `stepguard_test_app_${suffix}`;
  const urlAs = (user: string) => {
    const url = new URL(databaseUrl(name));
    url.username = user;
    url.password = `${user}-pw`;
    return url.toString();
  };
  let config: AppConfig;
  let app: NestExpressApplication;
  let http: HttpClient;

  beforeAll(async () => {
    assertTestDatabase(name);
    await withAdminClient((c) => c.query(`create database ${name}`));
    const admin = new URL(ADMIN_URL);
    admin.pathname = `/${name}`;
    await promisify(execFile)('psql', [
      ...['-v', 'ON_ERROR_STOP=1', '-v', `db=${name}`],
      ...['-v', `owner_role=${owner}`, '-v', `owner_password=${owner}-pw`],
      ...['-v', `app_role=${appRole}`, '-v', `app_password=${appRole}-pw`],
      ...['-f', ROLES_SQL, admin.toString()],
    ]);
    await runMigrations(urlAs(owner));
    config = testConfig(urlAs(appRole));
    app = await createHttpApp(config);
    await app.listen(0, '127.0.0.1');
    http = new HttpClient(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`);
  });

  afterAll(async () => {
    await app?.close();
    await dropDatabase(name);
    await withAdminClient(async (c) => {
      await c.query(`drop role if exists ${appRole}`);
      await c.query(`drop role if exists ${owner}`);
    });
    await deleteRedisKeys(config.env.REDIS_KEY_PREFIX);
  });

  async function as<T>(user: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: urlAs(user) });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  it('serves, audits, checkpoints and verifies with row privileges only', async () => {
    const tenant = await aTenant(http);
    expect((await http.get('/v1/audit-checkpoints', tenant.admin.token)).body).toEqual({
      checkpoints: [],
      nextCursor: null,
    });
    expect((await cli(config, 'audit', 'checkpoint', '--tenant', tenant.slug)).code).toBe(0);
    const run = await cli(config, 'audit', 'verify', '--tenant', tenant.slug);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect((await http.get('/v1/audit-checkpoints', tenant.admin.token)).body.checkpoints).toHaveLength(1);
  });

  it.each([
    ['truncate audit_events', 'permission denied for table audit_events'],
    ['truncate audit_checkpoints', 'permission denied for table audit_checkpoints'],
    ['delete from audit_events', 'DELETE on audit_events is refused'],
    ['delete from audit_chains', 'DELETE on audit_chains is refused'],
    ['update audit_events set ip = null', 'UPDATE on audit_events is refused'],
    ['update audit_checkpoints set seq = 0', 'UPDATE on audit_checkpoints is refused'],
    ['alter table audit_events disable trigger audit_events_append_only', 'must be owner of table audit_events'],
    ['alter table audit_events disable trigger all', 'must be owner of table audit_events'],
    ['create function f() returns int language sql as $$ select 1 $$', 'permission denied for schema public'],
  ])('refuses the application role: %s', async (sql, message) => {
    await expect(as(appRole, (c) => c.query(sql))).rejects.toThrow(message);
  });

  it("keeps the purge seam closed to the application role, setting or not, and opens it to the owner's DELETE only", async () => {
    await as(appRole, async (c) => {
      await c.query('begin');
      await c.query(`set local stepguard.audit_purge = 'on'`);
      await expect(c.query('delete from audit_checkpoints')).rejects.toThrow('DELETE on audit_checkpoints is refused');
      await c.query('rollback');
    });
    await as(owner, async (c) => {
      await expect(c.query('delete from audit_events')).rejects.toThrow('DELETE on audit_events is refused');
      await c.query('begin');
      await c.query(`set local stepguard.audit_purge = 'on'`);
      await expect(c.query('truncate audit_events')).rejects.toThrow('TRUNCATE on audit_events is refused');
      await c.query('rollback');
      await c.query('begin');
      await c.query(`set local stepguard.audit_purge = 'on'`);
      await expect(c.query('delete from audit_chains')).rejects.toThrow('DELETE on audit_chains is refused');
      await c.query('rollback');
      await c.query('begin');
      await c.query(`set local stepguard.audit_purge = 'on'`);
      const deleted = await c.query('delete from audit_checkpoints');
      expect(deleted.rowCount).toBe(1);
      await c.query('rollback');
    });
  });

  describe('retention', () => {
    const DAY = 24 * 3_600_000;
    const clock = new ManualClock(new Date(Date.now() - 10 * DAY));
    let context: Awaited<ReturnType<typeof NestFactory.createApplicationContext>>;

    beforeAll(async () => {
      const retaining = testConfig(urlAs(appRole), {
        AUDIT_RETENTION_DAYS: '1',
        REDIS_KEY_PREFIX: config.env.REDIS_KEY_PREFIX,
      });
      context = await NestFactory.createApplicationContext(AppModule.forRoot(retaining, { clock }), { logger: false });
    });
    afterAll(() => context?.close());

    /** A chain of its own with three events ten days old, appended by the application role. */
    async function anOldChain(): Promise<string> {
      const chainKey = randomUUID();
      clock.set(new Date(Date.now() - 10 * DAY));
      for (let i = 0; i < 3; i++) {
        await context
          .get(MikroORM)
          .em.fork()
          .transactional((em) =>
            context.get(AuditLog).append(em, {
              tenantId: chainKey,
              action: 'SomethingHappened',
              outcome: 'success',
              actor: SYSTEM_ACTOR,
            }),
          );
      }
      clock.set(new Date());
      return chainKey;
    }

    const seqsOf = async (chainKey: string) =>
      (
        await as(owner, (c) =>
          c.query<{ seq: number }>('select seq::int from audit_events where chain_key = $1 order by seq', [chainKey]),
        )
      ).rows.map((r) => r.seq);

    it('purges through audit_purge, while the application role still cannot delete an audit row itself', async () => {
      const chainKey = await anOldChain();
      const run = await context
        .get(CommandBus)
        .execute(new PurgeAuditLogCommand(SYSTEM_ACTOR, { kind: 'chain', chainKey }));
      expect(run).toMatchObject({ purges: 1, events: 2, broken: [] });
      expect(await seqsOf(chainKey)).toEqual([3, 4]);
      expect(await context.get(AuditVerifier).verify(chainKey)).toMatchObject({ ok: true, checked: 2, lastSeq: 4 });

      await expect(
        as(appRole, (c) => c.query('delete from audit_events where chain_key = $1', [chainKey])),
      ).rejects.toThrow('DELETE on audit_events is refused');
      await expect(as(appRole, (c) => c.query('delete from audit_purges'))).rejects.toThrow(
        'DELETE on audit_purges is refused',
      );
      await expect(
        as(appRole, async (c) => {
          await c.query('begin');
          await c.query(`set local stepguard.audit_purge = 'on'`);
          await c.query(`insert into audit_purges values ($1, 9, now(), now(), null, 3, '', null, null)`, [chainKey]);
        }),
      ).rejects.toThrow('INSERT on audit_purges is refused');
    });

    it('finds the real sinks, not a temporary table the caller made to stand in for them', async () => {
      const chainKey = await anOldChain();
      const sinkId = randomUUID();
      await as(appRole, async (c) => {
        await c.query(
          `insert into audit_sinks (id, tenant_id, name, kind, format, settings, batch_size, created_at, updated_at)
           values ($1, $2, 'siem', 'webhook', 'native', '{}', 100, now(), now())`,
          [sinkId, chainKey],
        );
        await c.query('insert into audit_sink_cursors (sink_id, chain_key, delivered_seq) values ($1, $2, 0)', [
          sinkId,
          chainKey,
        ]);
        // Unqualified names look in pg_temp first, unless the function pins its search_path.
        await c.query('create temp table audit_sink_cursors (like public.audit_sink_cursors)');
        const purged = await c.query(`select * from audit_purge($1, now() - interval '2 days', 3, 100)`, [chainKey]);
        expect(purged.rows).toEqual([]);
      });
      expect(await seqsOf(chainKey)).toEqual([1, 2, 3]);
    });
  });
});
