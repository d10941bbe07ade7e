import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../src/app/app.module.js';
import { ManualClock } from '../../src/common/clock.js';
import { OutboxRelay } from '../../src/infra/outbox/outbox-relay.js';
import { jobIdOf } from '../../src/infra/queues/job-id.js';
import { JobQueues } from '../../src/infra/queues/job-queues.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, aUser } from '../support/builders.js';
import { setMfaPolicy } from '../support/policy.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { nextDisconnect, SocketPool } from '../support/sockets.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/wait.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const LONG_SESSIONS = {
  SESSION_IDLE_TIMEOUT_MINUTES: String(30 * 24 * 60),
  SESSION_ABSOLUTE_TIMEOUT_MINUTES: String(30 * 24 * 60),
};

/**
 * A saved policy acts at once on the users it makes overdue (its tenant is swept right after the save,
 * through the outbox), and a worker that starts sweeps at once: nobody waits a sweep interval.
 */
describe('a policy change that makes users overdue', () => {
  describe('with the workers running', () => {
    const clock = new ManualClock('2031-02-03T10:00:00Z');
    let smtp: TestSmtp;
    let t: TestApp;
    beforeAll(async () => {
      smtp = await startSmtp();
      t = await startTestApp({ clock, extra: [WorkersModule], env: { SMTP_URL: smtp.url, ...LONG_SESSIONS } });
    });
    afterAll(async () => {
      await t.close();
      await smtp.close();
    });

    it("revokes an overdue member's existing session within seconds of saving gracePeriodDays: 0, audited, mailed, socket closed", async () => {
      const acme = await aTenant(t.http);
      const member = await aUser(t.http, acme);
      expect((await t.http.get('/v1/me', member.token)).status).toBe(200);
      const sockets = new SocketPool();
      const closed = nextDisconnect(await sockets.connect(t.http.baseUrl, member.token));

      await setMfaPolicy(t.http, acme, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 0 });

      try {
        expect(await closed).toMatchObject({
          event: 'stepguard:session_revoked',
          payload: { reason: 'grace_expired' },
        });
      } finally {
        sockets.closeAll();
      }
      expect((await t.http.get('/v1/me', member.token)).status).toBe(401);
      const revoked = await t.sql<{ details: { reason: string } }>(
        `select details from audit_events where action = 'SessionRevoked' and details->>'userId' = $1`,
        [member.id],
      );
      expect(revoked.map((r) => r.details.reason)).toEqual(['grace_expired']);
      expect((await smtp.nth(member.email, 1, 10_000, /set up two-step sign-in to continue/)).text).toMatch(
        /signed out everywhere/,
      );
      expect((await t.http.get('/v1/me', acme.admin.token)).status).toBe(200);
    });

    it('gives a deadline that falls before the next sweep its precise job as soon as the policy is saved', async () => {
      const acme = await aTenant(t.http);
      const member = await aUser(t.http, acme);
      await setMfaPolicy(t.http, acme, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 2 });
      const [{ started_at: startedAt }] = await t.sql<{ started_at: Date }>(
        'select started_at from mfa_scope_starts where user_id = $1',
        [member.id],
      );
      const deadline = startedAt.getTime() + 2 * DAY;
      clock.set(new Date(deadline - 2 * MINUTE));

      await setMfaPolicy(t.http, acme, { rememberDeviceDays: 20 });

      const grace = t.app.get(JobQueues).queue('grace');
      const jobId = jobIdOf('grace', acme.id, member.id, deadline);
      await waitUntil(async () => Boolean(await grace.getJob(jobId)), {
        what: 'the precise deadline job in the grace queue',
      });
      const job = (await grace.getJob(jobId))!;
      expect(job.name).toBe('grace-deadline');
      expect(job.data).toEqual({ tenantId: acme.id, userId: member.id, deadline });
      expect(job.opts.delay).toBe(2 * MINUTE);
      expect((await t.http.get('/v1/me', member.token)).status).toBe(200);
    });
  });

  describe('across a crash and a worker start', () => {
    const clock = new ManualClock('2031-03-03T10:00:00Z');
    let t: TestApp;
    let worker: INestApplicationContext | undefined;
    beforeAll(async () => {
      t = await startTestApp({ clock, env: LONG_SESSIONS });
    });
    afterAll(async () => {
      await worker?.close();
      await t.close();
    });
    const startWorker = async () =>
      (worker = await NestFactory.createApplicationContext(
        AppModule.forRoot(t.config, { clock, extra: [WorkersModule] }),
        { logger: false, abortOnError: false },
      ));
    /** The api enqueues a policy change's sweep after the commit, without waiting for it: wait here. */
    const policySweepEnqueued = (tenantId: string) =>
      waitUntil(
        () =>
          t.sql<{ relayed_at: Date | null }>(
            `select relayed_at from outbox_messages where tenant_id = $1 and kind = 'grace_policy_sweep'`,
            [tenantId],
          ),
        {
          what: "the policy change's sweep enqueued",
          until: (rows) => rows.length > 0 && rows.every((r) => r.relayed_at),
        },
      );

    it('sweeps when a worker starts: a deadline passed while no worker ran is enforced at once', async () => {
      const acme = await aTenant(t.http);
      const member = await aUser(t.http, acme);
      await setMfaPolicy(t.http, acme, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 1 });
      // Only the start-up sweep may act: the policy's own sweep is taken off the queue.
      await policySweepEnqueued(acme.id);
      await t.app.get(JobQueues).queue('grace').obliterate({ force: true });
      clock.advance(DAY + MINUTE);
      expect((await t.http.get('/v1/me', member.token)).status).toBe(200);

      await startWorker();

      await waitUntil(async () => (await t.http.get('/v1/me', member.token)).status === 401, {
        what: "the overdue member's session answering 401 after the worker started",
      });
    });

    it('acts on the change after a crash between its commit and the relay: the sweep is a committed outbox row', async () => {
      const acme = await aTenant(t.http);
      const member = await aUser(t.http, acme);
      const grace = t.app.get(JobQueues).queue('grace');
      await grace.pause();
      await setMfaPolicy(t.http, acme, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 0 });
      // The crash: the job the api enqueued after the commit is lost, and the row was never marked relayed.
      await policySweepEnqueued(acme.id);
      await grace.obliterate({ force: true });
      await t.sql(`update outbox_messages set relayed_at = null where tenant_id = $1 and kind = 'grace_policy_sweep'`, [
        acme.id,
      ]);
      await grace.resume();
      expect((await t.http.get('/v1/me', member.token)).status).toBe(200);

      // What the workers' periodic outbox sweep runs.
      expect(await worker!.get(OutboxRelay).sweep()).toBeGreaterThanOrEqual(1);

      await waitUntil(async () => (await t.http.get('/v1/me', member.token)).status === 401, {
        what: "the overdue member's session answering 401 after the outbox sweep",
      });
    });
  });
});
