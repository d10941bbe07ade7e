import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { runEntryPoint, type RunningProcess } from '../support/process/child-process.js';
import { deleteRedisKeys } from '../support/redis.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/stream-webhook-receiver.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/wait.js';

/**
 * The api (no workers in it) and real worker processes delivering to a webhook receiver: a worker killed
 * with SIGKILL in the middle of a batch, and Redis losing every key of the deployment. Either way the
 * receiver ends up with every event of the chain, in seq order, none missing.
 */
describe('audit stream when a worker dies or Redis forgets', () => {
  const keys = `test1:${randomBytes(32).toString('base64')}`;
  const signingKey = `sign1:${randomBytes(32).toString('base64')}`;
  let t: TestApp;
  let acme: TenantFixture;
  let receiver: WebhookReceiver;
  let dataDir: string;
  const workers: RunningProcess[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stepguard-stream-worker-'));
    t = await startTestApp({
      env: {
        STEPGUARD_ENCRYPTION_KEYS: keys,
        STEPGUARD_AUDIT_SIGNING_KEY: signingKey,
        AUDIT_STREAM_EGRESS_ALLOW: '127.0.0.1',
      },
    });
    acme = await aTenant(t.http);
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await receiver.stop();
    await t.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function startWorker(): Promise<RunningProcess> {
    const worker = runEntryPoint('workers/main.ts', {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: t.databaseUrl,
      REDIS_URL: t.config.env.REDIS_URL!,
      REDIS_KEY_PREFIX: t.config.env.REDIS_KEY_PREFIX,
      STEPGUARD_ENCRYPTION_KEYS: keys,
      STEPGUARD_AUDIT_SIGNING_KEY: signingKey,
      STEPGUARD_DATA_DIR: dataDir,
      STEPGUARD_MIGRATE_ON_START: 'false',
      AUDIT_STREAM_EGRESS_ALLOW: '127.0.0.1',
      AUDIT_STREAM_TICK_SECONDS: '1',
      AUDIT_STREAM_TIMEOUT_SECONDS: '1',
      JOB_LOCK_SECONDS: '1',
    });
    workers.push(worker);
    await worker.waitFor(/stepguard worker started/);
    return worker;
  }

  const headOf = async () =>
    Number(
      (await t.sql<{ last_seq: string }>('select last_seq from audit_chains where chain_key = $1', [acme.id]))[0]!
        .last_seq,
    );
  const seqs = () => receiver.events().map((e) => Number(e['seq']));
  const everyEventThrough = async (head: number, what: string) => {
    await waitUntil(seqs, { what, until: (s) => s.length >= head, wakeOn: receiver.onRequest, timeoutMs: 60_000 });
    expect(seqs()).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(receiver.problems).toEqual([]);
  };

  it('loses nothing when the worker is killed with SIGKILL mid-batch', async () => {
    const first = await startWorker();
    let hang = true;
    receiver.answer = () => (hang ? 'hang' : { status: 200 });
    const created = await t.http.post(
      '/v1/admin/audit-streams',
      { name: 'siem', kind: 'webhook', url: receiver.url, batchSize: 5 },
      acme.admin.token,
    );
    receiver.secrets.push(created.body.secret);
    await waitUntil(() => receiver.requests.length, {
      what: 'a batch sent to the receiver',
      wakeOn: receiver.onRequest,
    });
    // The worker holds the batch, waiting for an answer that does not come: kill it there.
    await first.stop('SIGKILL');
    hang = false;
    await aUser(t.http, acme);
    await startWorker();
    await everyEventThrough(await headOf(), 'every event after the killed worker');
  }, 120_000);

  it("resumes from PostgreSQL's cursor when Redis loses every key of the deployment", async () => {
    const before = await headOf();
    await deleteRedisKeys(t.config.env.REDIS_KEY_PREFIX);
    await aUser(t.http, acme);
    await aUser(t.http, acme);
    const head = await headOf();
    expect(head).toBeGreaterThan(before);
    await everyEventThrough(head, 'every event after Redis was emptied');
  }, 60_000);
});
