import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, signIn, type TenantFixture } from '../support/builders.js';
import { setMfaPolicy } from '../support/policy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, enrolTotp, totpCodeAt, verifyFactor } from '../support/totp.js';
import { waitUntil } from '../support/wait.js';

const DAY = 24 * 60 * 60_000;
const STEP = 30_000;

/** Sign-in and `/v1/me` under a policy that requires MFA of members, with a grace period. */
describe('MFA enforcement at sign-in', () => {
  const clock = new ManualClock('2030-08-01T09:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
  });
  beforeEach(async () => {
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const login = (email: string, appKey?: string) =>
    t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD, ...(appKey ? { appKey } : {}) });
  const me = async (token: string) => (await t.http.get('/v1/me', token)).body;
  const requireOfMembers = (changes: object = {}) =>
    setMfaPolicy(t.http, acme, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 7, ...changes });
  /** The clock jumps by days: the admin signs in again so their session has not idled out. */
  const freshAdmin = async () => {
    acme.admin.token = await signIn(t.http, acme.slug, acme.admin.email);
  };
  /** The scope start a user-change event records, once it has (events are handled after the commit). */
  async function scopeStartOf(userId: string): Promise<Date> {
    const [row] = await waitUntil(
      () => t.sql<{ started_at: Date }>('select started_at from mfa_scope_starts where user_id = $1', [userId]),
      { what: `the scope start of user ${userId}`, until: (rows) => rows.length > 0 },
    );
    return row!.started_at;
  }

  it('signs a member in during the grace period with the deadline, counted from the policy change', async () => {
    const member = await aUser(t.http, acme);
    const savedAt = clock.now().getTime();
    await requireOfMembers();
    clock.advance(2 * DAY);
    const res = await login(member.email);
    expect(res.body).toMatchObject({ status: 'authenticated', session: { aal: 1 } });
    const deadline = new Date(savedAt + 7 * DAY).toISOString();
    expect(res.body.mfa).toEqual({ enrollmentDeadline: deadline });
    expect((await me(res.body.token)).mfa).toMatchObject({ required: true, status: 'grace', deadline });
  });

  it('never restarts a clock when the policy is edited; a shorter period moves the deadline', async () => {
    const member = await aUser(t.http, acme);
    const savedAt = clock.now().getTime();
    await requireOfMembers();
    clock.advance(3 * DAY);
    await requireOfMembers({ rememberDeviceDays: 5 });
    expect((await login(member.email)).body.mfa.enrollmentDeadline).toBe(new Date(savedAt + 7 * DAY).toISOString());
    await requireOfMembers({ gracePeriodDays: 4 });
    expect((await login(member.email)).body.mfa.enrollmentDeadline).toBe(new Date(savedAt + 4 * DAY).toISOString());
  });

  it('gives an overdue member a token that can only enrol, which becomes a full session once a factor verifies', async () => {
    const member = await aUser(t.http, acme);
    await requireOfMembers({ gracePeriodDays: 1 });
    clock.advance(DAY);
    const res = await login(member.email);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'mfa_enrollment_required',
      token: expect.any(String),
      allowedMethods: ['totp', 'email', 'webauthn'],
    });
    const token = res.body.token as string;
    expect((await me(token)).mfa).toMatchObject({ required: true, status: 'overdue' });
    for (const [method, path] of [
      ['GET', '/v1/me/sessions'],
      ['POST', '/v1/me/backup-codes'],
      ['POST', '/v1/auth/step-up'],
      ['GET', '/v1/admin/users'],
    ] as const) {
      const refused = await t.http.request(method, path, { token, body: method === 'POST' ? {} : undefined });
      expect({ path, status: refused.status }).toEqual({ path, status: 403 });
    }
    const { factorId, secret } = await enrolTotp(t.http, token);
    const verified = await verifyFactor(t.http, token, factorId, totpCodeAt(secret, clock));
    expect(verified.status).toBe(200);
    expect(verified.body.backupCodes).toHaveLength(10);
    // Raised to aal 2 by the new factor: the session goes on under a new token.
    expect((await t.http.get('/v1/me/sessions', verified.body.token)).status).toBe(200);
    expect((await me(verified.body.token)).mfa).toMatchObject({ status: 'compliant' });
    clock.advance(STEP);
    expect((await login(member.email)).body.status).toBe('mfa_required');
  });

  it('starts the clock of a user who comes into scope later: a new account or a role change', async () => {
    await requireOfMembers();
    clock.advance(DAY);
    await freshAdmin();
    const createdAt = clock.now().getTime();
    const newcomer = await aUser(t.http, acme);
    expect((await scopeStartOf(newcomer.id)).getTime()).toBe(createdAt);

    const manager = await aUser(t.http, acme, ['manager']);
    expect((await login(manager.email)).body.mfa).toBeUndefined();
    clock.advance(DAY);
    await freshAdmin();
    const promotedAt = clock.now().getTime();
    expect((await t.http.patch(`/v1/admin/users/${manager.id}`, { roles: ['member'] }, acme.admin.token)).status).toBe(
      200,
    );
    expect((await scopeStartOf(manager.id)).getTime()).toBe(promotedAt);
    clock.advance(DAY);
    expect((await login(manager.email)).body.mfa.enrollmentDeadline).toBe(new Date(promotedAt + 7 * DAY).toISOString());
  });

  it('no longer counts a factor whose method the tenant disallows: its user falls into grace', async () => {
    const member = await aUserWithTotp(t.http, acme, clock);
    expect((await login(member.email)).body.status).toBe('mfa_required');
    await requireOfMembers({ allowedMethods: ['email'] });
    const res = await login(member.email);
    expect(res.body).toMatchObject({ status: 'authenticated', mfa: { enrollmentDeadline: expect.any(String) } });
  });

  it('enforces only on the apps the policy names, the app known by its key', async () => {
    const member = await aUser(t.http, acme);
    await freshAdmin();
    const keyOf = async (kind: string) =>
      (await t.http.post('/v1/admin/apps', { name: kind, kind }, acme.admin.token)).body.key as string;
    const [clientKey, consoleKey] = [await keyOf('client'), await keyOf('console')];
    await requireOfMembers({ gracePeriodDays: 0, enforceOn: ['console'] });
    expect((await login(member.email, clientKey)).body).toMatchObject({ status: 'authenticated' });
    expect((await login(member.email, clientKey)).body.mfa).toBeUndefined();
    expect((await login(member.email, consoleKey)).body.status).toBe('mfa_enrollment_required');
    expect((await login(member.email)).body.status).toBe('mfa_enrollment_required');
  });

  it('refuses to remove the last allowed factor while the policy requires one (403 policy_requires_mfa)', async () => {
    const member = await aUserWithTotp(t.http, acme, clock);
    await requireOfMembers();
    const token = (await login(member.email)).body;
    const signedIn = await t.http.post(`/v1/auth/challenges/${token.challengeId}/verify`, {
      method: 'totp',
      code: totpCodeAt(member.secret, clock),
    });
    const remove = (id: string) =>
      t.http.request('DELETE', `/v1/me/factors/${id}`, { token: signedIn.body.token, body: { password: PASSWORD } });
    const refused = await remove(member.factorId);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('policy_requires_mfa');
    clock.advance(STEP);
    const second = await enrolTotp(t.http, signedIn.body.token);
    expect(
      (await verifyFactor(t.http, signedIn.body.token, second.factorId, totpCodeAt(second.secret, clock))).status,
    ).toBe(200);
    expect((await remove(member.factorId)).status).toBe(204);
  });
});
