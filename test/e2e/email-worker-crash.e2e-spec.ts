import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { runEntryPoint, type RunningProcess } from '../support/process/child-process.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { verifyFactor } from '../support/totp.js';

/**
 * The api process (this test's app, no workers in it) and real worker processes: one is killed with
 * SIGKILL after it has mailed a code and before it recorded the delivery; the next worker takes the
 * job back and the user still ends up with exactly one code that works.
 */
describe('an e-mail worker killed mid-job', () => {
  const keys = `test1:${randomBytes(32).toString('base64')}`;
  let smtp: TestSmtp;
  let t: TestApp;
  let acme: TenantFixture;
  let dataDir: string;
  const workers: RunningProcess[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    dataDir = await mkdtemp(join(tmpdir(), 'stepguard-worker-'));
    t = await startTestApp({ env: { SMTP_URL: smtp.url, STEPGUARD_ENCRYPTION_KEYS: keys } });
    acme = await aTenant(t.http);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await t.close();
    await smtp.close();
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
      STEPGUARD_DATA_DIR: dataDir,
      STEPGUARD_MIGRATE_ON_START: 'false',
      SMTP_URL: smtp.url,
      JOB_LOCK_SECONDS: '1',
    });
    workers.push(worker);
    await worker.waitFor(/stepguard worker started/);
    return worker;
  }

  const codeIn = (text: string) => /Your code: (\d{6})/.exec(text)![1]!;

  it('mails a fresh code on the retry, and only that code activates the factor, once', async () => {
    const first = await startWorker();
    const user = await aUser(t.http, acme);
    smtp.holdNextReply();
    const enrolled = await t.http.post('/v1/me/factors/email', {}, user.token);
    expect(enrolled.status).toBe(201);
    const mailed = codeIn((await smtp.nth(user.email, 1, 20_000)).text);
    const [outbox] = await t.sql(
      'select delivered_at from outbox_messages where ref_id in (select id from email_codes where factor_id = $1)',
      [enrolled.body.factorId],
    );
    expect(outbox).toEqual({ delivered_at: null });

    await first.stop('SIGKILL');
    await startWorker();
    const remailed = codeIn((await smtp.nth(user.email, 2, 20_000)).text);

    const verify = (code: string) => verifyFactor(t.http, user.token, enrolled.body.factorId, code);
    if (mailed !== remailed) expect((await verify(mailed)).status).toBe(401);
    expect((await verify(remailed)).status).toBe(200);
    expect((await verify(remailed)).status).toBe(401);
    const [delivered] = await t.sql(
      'select count(*)::int as n from outbox_messages where delivered_at is not null and ref_id in (select id from email_codes where factor_id = $1)',
      [enrolled.body.factorId],
    );
    expect(delivered).toEqual({ n: 1 });
    // Two worker processes start (and one is killed) in this test: on a loaded machine that alone can take 30 s.
  }, 120_000);
});
