import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp as aUserWithTotpIn, totpCodeAt } from '../support/totp.js';

/** Runs `count` calls of `task`, `concurrency` at a time, and returns every answer. */
async function flood<T>(count: number, concurrency: number, task: () => Promise<T>): Promise<T[]> {
  const answers: T[] = [];
  let started = 0;
  const lane = async () => {
    while (started < count) {
      started++;
      answers.push(await task());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return answers;
}

const statuses = (answers: { status: number }[]) =>
  answers.reduce<Record<number, number>>((n, a) => ({ ...n, [a.status]: (n[a.status] ?? 0) + 1 }), {});

/**
 * Refused second-factor attempts are audited like refused logins: every wrong code (a guess, bounded
 * by the limits and counted on the streak), and of the other refusals only the first of a window per
 * account and per challenge (or session). The rest show in the metrics only.
 */
describe('audit of refused second-factor attempts', () => {
  const clock = new ManualClock('2030-05-01T09:00:00Z');
  let smtp: TestSmtp;
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ clock, extra: [WorkersModule], env: { SMTP_URL: smtp.url } });
    acme = await aTenant(t.http);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const aUserWithTotp = () => aUserWithTotpIn(t.http, acme, clock);
  const login = async (email: string) =>
    (await t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD })).body;
  const verify = (challengeId: string, code: string, method = 'totp') =>
    t.http.post(`/v1/auth/challenges/${challengeId}/verify`, { method, code });
  const refusalsOf = (action: string, targetId: string) =>
    t.sql<{ code: string }>(
      `select details->>'code' as code from audit_events where action = $1 and target_id = $2 order by seq`,
      [action, targetId],
    );
  /** Audit entries by or about the user, or about the challenge. */
  const auditRows = async (userId: string, challengeId: string) =>
    Number(
      (
        await t.sql(`select count(*) as n from audit_events where actor_id = $1 or target_id in ($1, $2)`, [
          userId,
          challengeId,
        ])
      )[0].n,
    );
  /** `stepguard_second_factor_refusals_total` summed over the samples matching `labels`. */
  const refusalMetric = async (labels: Record<string, string>) => {
    const text = (await t.http.get<string>('/metrics')).body;
    let total = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith('stepguard_second_factor_refusals_total{')) continue;
      if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
        total += Number(line.split(' ').pop());
    }
    return total;
  };

  it('audits 300 wrong answers to one challenge (10 at a time) with 6 entries: 5 guesses and the first refusal', async () => {
    const user = await aUserWithTotp();
    const { challengeId } = await login(user.email);
    const countedBefore = await refusalMetric({ action: 'MfaChallengeFailed' });
    const answers = await flood(300, 10, () => verify(challengeId, '000000'));
    expect(statuses(answers)).toEqual({ 401: 5, 429: 295 });
    expect((await refusalsOf('MfaChallengeFailed', challengeId)).map((r) => r.code).sort()).toEqual([
      ...Array<string>(5).fill('mfa_code_invalid'),
      'too_many_attempts',
    ]);
    // Every refusal is still counted, in the metrics.
    expect((await refusalMetric({ action: 'MfaChallengeFailed' })) - countedBefore).toBe(300);
    // The guesses still build the streak (5 failures: the next try waits).
    const [streak] = await t.sql('select consecutive_failures from mfa_failure_streaks where user_id = $1', [user.id]);
    expect(streak).toEqual({ consecutive_failures: 5 });
  });

  it('answers 100 replays of a spent challenge with 410 and leaves the audit log untouched', async () => {
    const user = await aUserWithTotp();
    const { challengeId } = await login(user.email);
    expect((await verify(challengeId, totpCodeAt(user.secret, clock))).status).toBe(200);
    clock.advance(30_000);
    const rowsBefore = await auditRows(user.id, challengeId);
    const countedBefore = await refusalMetric({ action: 'MfaChallengeFailed', code: 'challenge_expired' });
    const answers = await flood(100, 10, () => verify(challengeId, totpCodeAt(user.secret, clock)));
    expect(statuses(answers)).toEqual({ 410: 100 });
    expect(answers[0]!.body.code).toBe('challenge_expired');
    expect(await auditRows(user.id, challengeId)).toBe(rowsBefore);
    expect((await refusalMetric({ action: 'MfaChallengeFailed', code: 'challenge_expired' })) - countedBefore).toBe(
      100,
    );
    // Not a failure toward the lock either.
    expect(await t.sql('select * from mfa_failure_streaks where user_id = $1', [user.id])).toEqual([]);
  });

  it('audits the first of 20 answers to an expired challenge, once', async () => {
    const user = await aUserWithTotp();
    const { challengeId } = await login(user.email);
    clock.advance(5 * 60_000);
    const answers = await flood(20, 10, () => verify(challengeId, totpCodeAt(user.secret, clock)));
    expect(statuses(answers)).toEqual({ 410: 20 });
    expect(await refusalsOf('MfaChallengeFailed', challengeId)).toEqual([{ code: 'challenge_expired' }]);
  });

  it('audits 60 wrong step-ups (10 at a time) with 6 entries: 5 guesses and the first refusal', async () => {
    const user = await aUserWithTotp();
    const token = user.token;
    const session = (await t.http.get('/v1/me', token)).body.session.id as string;
    const answers = await flood(60, 10, () =>
      t.http.post('/v1/auth/step-up', { method: 'totp', code: '000000' }, token),
    );
    expect(statuses(answers)).toEqual({ 401: 5, 429: 55 });
    expect((await refusalsOf('StepUpFailed', session)).map((r) => r.code).sort()).toEqual([
      ...Array<string>(5).fill('mfa_code_invalid'),
      'too_many_attempts',
    ]);
  });

  it('still locks, audits and e-mails the lock when the failures that reach it come in a flood', async () => {
    const user = await aUserWithTotp();
    await t.sql(
      `insert into mfa_failure_streaks (user_id, tenant_id, consecutive_failures, updated_at) values ($1, $2, 99, now())`,
      [user.id, acme.id],
    );
    const { challengeId } = await login(user.email);
    await flood(30, 10, () => verify(challengeId, '000000'));
    expect(
      await t.sql(`select 1 from audit_events where action = 'FactorLocked' and actor_id = $1`, [user.id]),
    ).toHaveLength(1);
    expect((await smtp.nth(user.email, 1, 10_000, /locked/)).subject).toMatch(/locked/);
  });

  it('audits the first of 20 refused requests for an e-mailed code, and none for a spent challenge', async () => {
    const user = await aUser(t.http, acme);
    const enrolled = await t.http.post('/v1/me/factors/email', {}, user.token);
    const codeMail = (n: number) => smtp.nth(user.email, n, 10_000, /verification code/);
    const code = /Your code: (\d{6})/.exec((await codeMail(1)).text)![1]!;
    expect((await t.http.post(`/v1/me/factors/${enrolled.body.factorId}/verify`, { code }, user.token)).status).toBe(
      200,
    );
    const { challengeId } = await login(user.email);
    const send = () => t.http.post(`/v1/auth/challenges/${challengeId}/email`);
    expect((await send()).status).toBe(202);
    expect(statuses(await flood(20, 10, send))).toEqual({ 429: 20 });
    expect(await refusalsOf('EmailCodeRefused', challengeId)).toEqual([{ code: 'too_many_attempts' }]);

    const signInCode = /Your code: (\d{6})/.exec((await codeMail(2)).text)![1]!;
    expect((await verify(challengeId, signInCode, 'email')).status).toBe(200);
    clock.advance(60_000);
    const rowsBefore = await auditRows(user.id, challengeId);
    expect(statuses(await flood(20, 10, send))).toEqual({ 410: 20 });
    expect(await auditRows(user.id, challengeId)).toBe(rowsBefore);
  });
});
