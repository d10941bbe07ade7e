import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { randomBytes } from 'node:crypto';
import { AppModule } from '../../src/app/app.module.js';
import { ReencryptAuditSinkSecretsCommand } from '../../src/audit/index.js';
import { CLI_ACTOR } from '../../src/cli/cli-command.js';
import { ManualClock } from '../../src/common/clock.js';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, type TenantFixture } from '../support/builders.js';
import { cli } from '../support/cli.js';
import { deleteRedisKeys } from '../support/redis.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/stream-webhook-receiver.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { waitUntil } from '../support/wait.js';

const OLD = `old:${randomBytes(32).toString('base64')}`;
const NEW = `new:${randomBytes(32).toString('base64')}`;
const HEC_TOKEN = 'a1b2c3d4-hec-token-of-the-platform';
const HOUR = 3_600_000;
/** Shared by the app and the worker started later: the worker signs checkpoints of the same chains. */
const SHARED = {
  AUDIT_STREAM_EGRESS_ALLOW: '127.0.0.1',
  AUDIT_STREAM_TICK_SECONDS: '1',
  STEPGUARD_AUDIT_SIGNING_KEY: `a1:${randomBytes(32).toString('base64')}`,
};

/**
 * `keys rotate` also moves the audit sinks' secrets (webhook signing secrets, during a rotation's overlap
 * two of them; HEC tokens) to the newest key, and drops those past their retirement.
 */
describe('stepguard keys rotate: audit sink secrets', () => {
  // Two hours behind the real clock, on which the CLI and the workers run: a secret that retired an hour
  // after its rotation is already past its retirement for them.
  const clock = new ManualClock(new Date(Date.now() - 2 * HOUR));
  let t: TestApp;
  let acme: TenantFixture;
  let globex: TenantFixture;
  const receivers: Record<'overlap' | 'retired' | 'platform', WebhookReceiver> = {} as never;
  const sinks: Record<'overlap' | 'retired' | 'platform' | 'hec', { id: string; secrets: string[] }> = {} as never;

  async function aWebhookSink(tenant: TenantFixture | null, receiver: WebhookReceiver, overlapHours?: number) {
    const [path, token] = tenant
      ? ['/v1/admin/audit-streams', tenant.admin.token]
      : ['/v1/operator/audit-streams', t.operatorToken];
    const created = await t.http.post(path, { name: 'siem', kind: 'webhook', url: receiver.url }, token);
    expect(created.status).toBe(201);
    const secrets: string[] = [created.body.secret];
    if (overlapHours !== undefined) {
      const rotated = await t.http.post(`${path}/${created.body.id}/rotate-secret`, { overlapHours }, token);
      expect(rotated.status).toBe(200);
      secrets.unshift(rotated.body.secret);
    }
    return { id: created.body.id as string, secrets };
  }

  beforeAll(async () => {
    // The rollout's first step: every node opens with `new`, `old` (the last) still seals.
    t = await startTestApp({ clock, env: { STEPGUARD_ENCRYPTION_KEYS: `${NEW},${OLD}`, ...SHARED } });
    acme = await aTenant(t.http);
    globex = await aTenant(t.http);
    for (const name of ['overlap', 'retired', 'platform'] as const) receivers[name] = await startWebhookReceiver();
    sinks.overlap = await aWebhookSink(acme, receivers.overlap, 24);
    sinks.retired = await aWebhookSink(globex, receivers.retired, 1);
    sinks.platform = await aWebhookSink(null, receivers.platform);
    const hec = await t.http.post(
      '/v1/admin/audit-streams',
      { name: 'hec', kind: 'splunk_hec', url: 'https://127.0.0.1:9/services/collector', token: HEC_TOKEN },
      acme.admin.token,
    );
    const syslog = await t.http.post(
      '/v1/admin/audit-streams',
      { name: 'no secret', kind: 'syslog', host: '127.0.0.1', format: 'cef' },
      acme.admin.token,
    );
    expect([hec.status, syslog.status]).toEqual([201, 201]);
    sinks.hec = { id: hec.body.id, secrets: [HEC_TOKEN] };
    // Nothing listens there: paused, so the workers started below leave them alone.
    for (const id of [hec.body.id, syslog.body.id]) {
      expect((await t.http.post(`/v1/admin/audit-streams/${id}/pause`, undefined, acme.admin.token)).status).toBe(200);
    }
    clock.advance(2 * HOUR);
  });
  afterAll(async () => {
    await Promise.all(Object.values(receivers).map((r) => r.stop()));
    await t.close();
  });

  const keyIds = async () =>
    t.sql(
      `select s->>'keyId' as k, count(*)::int as n from audit_sinks, jsonb_array_elements(secrets) s group by 1 order by 1`,
    );

  it('refuses, naming the key, while sink secrets are sealed under a key no longer configured', async () => {
    const run = await cli(testConfig(t.databaseUrl, { STEPGUARD_ENCRYPTION_KEYS: NEW }), 'keys', 'rotate');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/no encryption key with id "old" is configured/);
    // Two webhook secrets in the overlap, one new and one retired, the platform's, the HEC token.
    expect(await keyIds()).toEqual([{ k: 'old', n: 6 }]);
  });

  it('moves every sink secret to the newest key in batches, resuming where an interrupted run stopped', async () => {
    const both = testConfig(t.databaseUrl, { STEPGUARD_ENCRYPTION_KEYS: `${OLD},${NEW}` });
    const context = await NestFactory.createApplicationContext(AppModule.forRoot(both), { logger: false });
    const first = await context.get(CommandBus).execute(new ReencryptAuditSinkSecretsCommand(null, 1, CLI_ACTOR));
    await context.close();
    expect(first.sinks).toBe(1);

    const resumed = await cli(both, 'keys', 'rotate', '--batch-size', '2');
    expect(resumed).toMatchObject({ code: 0, err: '' });
    const lines = resumed.out.split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^audit sinks batch 1: re-encrypted \d secrets of 2 sinks \(2 sinks so far\)$/),
      expect.stringMatching(/^audit sinks batch 2: re-encrypted \d secrets of 1 sinks \(3 sinks so far\)$/),
      expect.stringMatching(/^done: re-encrypted \d secrets of 3 audit sinks under key new$/),
    ]);
    const resealed = Number(/re-encrypted (\d) secrets of 3/.exec(lines[2]!)![1]);
    // Five in force; the one past its retirement is dropped, not carried to the new key.
    expect(first.secrets + resealed).toBe(5);
    expect(await keyIds()).toEqual([{ k: 'new', n: 5 }]);

    expect(await cli(both, 'keys', 'rotate')).toMatchObject({
      code: 0,
      out: 'nothing to re-encrypt: every factor and audit sink secret is under key new',
    });
  });

  it('keeps every secret: each opens under the new key alone, bound to its sink, with its retirement', async () => {
    const box = new SecretBox(testConfig(t.databaseUrl, { STEPGUARD_ENCRYPTION_KEYS: NEW }).encryptionKeys);
    const stored = async (id: string) => {
      const [row] = await t.sql('select secrets from audit_sinks where id = $1', [id]);
      return (row.secrets as { keyId: string; ciphertext: string; retiresAt: string | null }[]).map((s) => ({
        value: box.open(s, `audit_sink:${id}`).toString('utf8'),
        retiring: s.retiresAt !== null,
      }));
    };
    expect(await stored(sinks.overlap.id)).toEqual([
      { value: sinks.overlap.secrets[0], retiring: false },
      { value: sinks.overlap.secrets[1], retiring: true },
    ]);
    expect(await stored(sinks.retired.id)).toEqual([{ value: sinks.retired.secrets[0], retiring: false }]);
    expect(await stored(sinks.platform.id)).toEqual([{ value: sinks.platform.secrets[0], retiring: false }]);
    expect(await stored(sinks.hec.id)).toEqual([{ value: HEC_TOKEN, retiring: false }]);
    const [row] = await t.sql('select secrets from audit_sinks where id = $1', [sinks.platform.id]);
    expect(() => box.open(row.secrets[0], `audit_sink:${sinks.overlap.id}`)).toThrow(/does not authenticate/);
  });

  it('delivers, signed with both secrets of the overlap, from a worker that only has the new key', async () => {
    // Each receiver knows one secret: the overlap's retiring one, the rotated sink's new one, the platform's.
    receivers.overlap.secrets = [sinks.overlap.secrets[1]!];
    receivers.retired.secrets = [sinks.retired.secrets[0]!];
    receivers.platform.secrets = [sinks.platform.secrets[0]!];
    const config = testConfig(t.databaseUrl, { STEPGUARD_ENCRYPTION_KEYS: NEW, ...SHARED });
    let worker: INestApplicationContext | undefined;
    try {
      worker = await NestFactory.createApplicationContext(AppModule.forRoot(config, { workers: [WorkersModule] }), {
        logger: false,
      });
      for (const [name, tenant] of [
        ['overlap', acme],
        ['retired', globex],
        ['platform', acme],
      ] as const) {
        const [head] = await t.sql('select last_seq from audit_chains where chain_key = $1', [tenant.id]);
        await waitUntil(() => receivers[name].events().filter((e) => e['tenantId'] === tenant.id), {
          what: `the ${name} receiver getting ${tenant.slug}'s chain through seq ${head.last_seq}`,
          until: (events) => events.length >= Number(head.last_seq),
          wakeOn: receivers[name].onRequest,
          timeoutMs: 20_000,
        });
        expect([name, receivers[name].problems]).toEqual([name, []]);
      }
    } finally {
      await worker?.close();
      await deleteRedisKeys(config.env.REDIS_KEY_PREFIX);
    }
    expect(receivers.overlap.requests.every((r) => r.signatures.length === 2)).toBe(true);
    expect(receivers.retired.requests.every((r) => r.signatures.length === 1)).toBe(true);
  });

  it("records the re-encryption on each sink's own chain, as the operator, and the chains stay intact", async () => {
    const entries = await t.sql(
      `select chain_key, target_id, actor_type, actor_id, details from audit_events
        where action = 'AuditSinkSecretsReencrypted' order by target_id`,
    );
    const expected = [
      [sinks.overlap.id, acme.id, 2, 0],
      [sinks.retired.id, globex.id, 1, 1],
      [sinks.platform.id, 'platform', 1, 0],
      [sinks.hec.id, acme.id, 1, 0],
    ] as const;
    expect(entries).toEqual(
      expect.arrayContaining(
        expected.map(([id, chain, secrets, droppedRetired]) => ({
          chain_key: chain,
          target_id: id,
          actor_type: 'operator',
          actor_id: 'cli',
          details: { keyId: 'new', fromKeyIds: ['old'], secrets, droppedRetired },
        })),
      ),
    );
    expect(entries).toHaveLength(expected.length);
    // Generous tolerance: the chains began two hours ago by the app's clock, and no worker signed checkpoints then.
    for (const scope of [['--tenant', acme.slug], ['--tenant', globex.slug], ['--platform']]) {
      const run = await cli(t.config, 'audit', 'verify', ...scope, '--tolerance-minutes', '10080');
      expect([scope, run.code, run.out]).toEqual([scope, 0, expect.stringContaining('is intact')]);
    }
  });
});
