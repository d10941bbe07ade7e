import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { ScureBase32Plugin } from 'otplib';
import pg from 'pg';
import { AppModule } from '../../src/app/app.module.js';
import { CLI_ACTOR } from '../../src/cli/cli-command.js';
import { ManualClock } from '../../src/common/clock.js';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { ReencryptFactorSecretsCommand } from '../../src/factors/commands/reencrypt-factor-secrets.command.js';
import { createHttpApp } from '../../src/app/create-http-app.js';
import { aTenant, aUser } from '../support/builders.js';
import { cli } from '../support/cli.js';
import { HttpClient } from '../support/http.js';
import { deleteRedisKeys } from '../support/redis.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { enrolTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

const OLD = `old:${randomBytes(32).toString('base64')}`;
const NEW = `new:${randomBytes(32).toString('base64')}`;

describe('stepguard keys rotate', () => {
  const clock = new ManualClock('2030-01-01T08:00:10Z');
  let t: TestApp;
  let sql: pg.Client;
  const factors: { factorId: string; secret: string; token: string; tenantId: string; active: boolean }[] = [];
  beforeAll(async () => {
    t = await startTestApp({ clock, env: { STEPGUARD_ENCRYPTION_KEYS: OLD } });
    sql = new pg.Client({ connectionString: t.databaseUrl });
    await sql.connect();
    for (const tenant of [await aTenant(t.http), await aTenant(t.http)]) {
      for (const active of [true, false, false]) {
        // A user each: a second factor of one user would need a fresh check with the first.
        const user = await aUser(t.http, tenant);
        const { factorId, secret } = await enrolTotp(t.http, user.token);
        if (active) await verifyFactor(t.http, user.token, factorId, totpCodeAt(secret, clock));
        factors.push({ factorId, secret, token: user.token, tenantId: tenant.id, active });
      }
    }
  });
  afterAll(async () => {
    await sql.end();
    await t.close();
  });

  const keyIds = async () =>
    (await sql.query('select secret_key_id as k, count(*)::int as n from factors group by 1 order by 1')).rows;

  it('refuses, naming the key, while secrets are sealed under a key no longer configured', async () => {
    const run = await cli(testConfig(t.databaseUrl, { STEPGUARD_ENCRYPTION_KEYS: NEW }), 'keys', 'rotate');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/no encryption key with id "old" is configured/);
    expect(await keyIds()).toEqual([{ k: 'old', n: 6 }]);
  });

  it('moves every secret to the newest key in batches, resuming where an interrupted run stopped', async () => {
    const both = testConfig(t.databaseUrl, { STEPGUARD_ENCRYPTION_KEYS: `${OLD},${NEW}` });
    // An interrupted run: one committed batch of two, then nothing.
    const context = await NestFactory.createApplicationContext(AppModule.forRoot(both, { clock }), { logger: false });
    const first = await context.get(CommandBus).execute(new ReencryptFactorSecretsCommand(null, 2, CLI_ACTOR));
    await context.close();
    expect(first.reencrypted).toBe(2);
    expect(await keyIds()).toEqual([
      { k: 'new', n: 2 },
      { k: 'old', n: 4 },
    ]);

    const resumed = await cli(both, 'keys', 'rotate', '--batch-size', '3');
    expect(resumed).toMatchObject({ code: 0, err: '' });
    expect(resumed.out.split('\n')).toEqual([
      'batch 1: re-encrypted 3 factor secrets (3 so far)',
      'batch 2: re-encrypted 1 factor secrets (4 so far)',
      expect.stringMatching(/^done: re-encrypted 4 factor secrets of [12] tenants under key new$/),
    ]);
    expect(await keyIds()).toEqual([{ k: 'new', n: 6 }]);

    const again = await cli(both, 'keys', 'rotate');
    expect(again).toMatchObject({
      code: 0,
      out: 'nothing to re-encrypt: every factor and audit sink secret is under key new',
    });
  });

  it('keeps every secret intact: each opens under the new key alone, bound to its own row', async () => {
    const box = new SecretBox(testConfig(t.databaseUrl, { STEPGUARD_ENCRYPTION_KEYS: NEW }).encryptionKeys);
    const base32 = new ScureBase32Plugin();
    for (const f of factors) {
      const row = (await sql.query('select * from factors where id = $1', [f.factorId])).rows[0];
      const opened = box.open(
        { keyId: row.secret_key_id, ciphertext: row.secret_ciphertext },
        `factor-secret:${row.tenant_id}:${row.id}`,
      );
      expect(opened).toEqual(Buffer.from(base32.decode(f.secret)));
    }
  });

  it('leaves every pending factor verifying on a node that only has the new key', async () => {
    const config = testConfig(t.databaseUrl, { STEPGUARD_ENCRYPTION_KEYS: NEW });
    const app: NestExpressApplication = await createHttpApp(config, { clock });
    await app.listen(0, '127.0.0.1');
    try {
      const http = new HttpClient(`http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`);
      clock.advance(30_000);
      for (const f of factors.filter((x) => !x.active)) {
        const res = await verifyFactor(http, f.token, f.factorId, totpCodeAt(f.secret, clock));
        expect({ factor: f.factorId, status: res.status }).toEqual({ factor: f.factorId, status: 200 });
      }
    } finally {
      await app.close();
      await deleteRedisKeys(config.env.REDIS_KEY_PREFIX);
    }
  });

  it("records the rotation on each tenant's audit chain, as the operator, and the chains stay intact", async () => {
    const entries = (
      await sql.query(
        `select tenant_id, actor_type, actor_id, details from audit_events where action = 'EncryptionKeysRotated'`,
      )
    ).rows;
    const perTenant = new Map<string, number>();
    for (const e of entries) {
      expect(e).toMatchObject({
        actor_type: 'operator',
        actor_id: 'cli',
        details: { keyId: 'new', fromKeyIds: ['old'] },
      });
      perTenant.set(e.tenant_id, (perTenant.get(e.tenant_id) ?? 0) + e.details.factors);
    }
    expect(Object.fromEntries(perTenant)).toEqual({ [factors[0]!.tenantId]: 3, [factors[3]!.tenantId]: 3 });
    for (const slug of (await sql.query('select slug from tenants')).rows.map((r) => r.slug)) {
      expect((await cli(t.config, 'audit', 'verify', '--tenant', slug)).code).toBe(0);
    }
  });
});
