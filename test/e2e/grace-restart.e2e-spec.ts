import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { AppModule } from '../../src/app/app.module.js';
import { ManualClock } from '../../src/common/clock.js';
import { SweepGracePeriodsCommand } from '../../src/compliance/commands/sweep-grace-periods.command.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { setMfaPolicy } from '../support/policy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { waitUntil } from '../support/wait.js';

const DAY = 24 * 60 * 60_000;

/** The api (this test's app) and worker processes that stop and start around a deadline. */
describe('grace deadlines across a worker restart', () => {
  const clock = new ManualClock('2030-12-01T09:00:00Z');
  let t: TestApp;
  let acme: TenantFixture;
  const workers: INestApplicationContext[] = [];
  beforeAll(async () => {
    t = await startTestApp({
      clock,
      env: { SESSION_IDLE_TIMEOUT_MINUTES: String(3 * 24 * 60), SESSION_ABSOLUTE_TIMEOUT_MINUTES: String(3 * 24 * 60) },
    });
    acme = await aTenant(t.http);
  });
  afterAll(async () => {
    for (const worker of workers) await worker.close().catch(() => undefined);
    await t.close();
  });

  const startWorker = async () => {
    const worker = await NestFactory.createApplicationContext(
      AppModule.forRoot(t.config, { clock, extra: [WorkersModule] }),
      { logger: false, abortOnError: false },
    );
    workers.push(worker);
    return worker;
  };
  const enforcements = async (userId: string) =>
    (
      await t.sql<{ n: number }>(
        `select count(*)::int as n from audit_events where action = 'MfaGracePeriodExpired' and target_id = $1`,
        [userId],
      )
    )[0]!.n;

  it('fires a deadline job scheduled by a worker that stopped, on the next worker, once', async () => {
    const member = await aUser(t.http, acme);
    await setMfaPolicy(t.http, acme, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 1 });
    clock.advance(DAY - 1500);
    const first = await startWorker();
    await first.get(CommandBus).execute(new SweepGracePeriodsCommand(100));
    await first.close();
    clock.advance(2000);

    const second = await startWorker();
    await waitUntil(() => enforcements(member.id), { what: "the member's deadline enforced on the next worker" });
    expect(await enforcements(member.id)).toBe(1);
    expect((await t.http.get('/v1/me', member.token)).status).toBe(401);
    await second.get(CommandBus).execute(new SweepGracePeriodsCommand(100));
    await second.close();
    const third = await startWorker();
    await third.get(CommandBus).execute(new SweepGracePeriodsCommand(100));
    expect(await enforcements(member.id)).toBe(1);
  });
});
