import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { aTenant, aUser, PASSWORD, signIn, type TenantFixture } from '../support/builders.js';
import { DEFAULT_POLICY, setMfaPolicy } from '../support/policy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, enrolTotp, signInWithTotp, totpCodeAt, verifyFactor } from '../support/totp.js';
import { waitUntil } from '../support/wait.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const STEP = 30_000;
const DEFAULTS = DEFAULT_POLICY;

/** `POST /v1/admin/mfa-policy/preview`: what a proposed policy would do, with nothing saved. */
describe('previewing an MFA policy', () => {
  const clock = new ManualClock('2030-09-01T09:00:10Z');
  let t: TestApp;
  let acme: TenantFixture;
  beforeAll(async () => {
    t = await startTestApp({ clock });
  });
  beforeEach(async () => {
    acme = await aTenant(t.http);
  });
  afterAll(() => t.close());

  const preview = (changes: object, tenant = acme, token = tenant.admin.token) =>
    t.http.post('/v1/admin/mfa-policy/preview', { ...DEFAULTS, ...changes }, token);
  const required = (changes: object = {}) => ({ requireMfa: true, ...changes });
  const inDays = (days: number, from = clock.now().getTime()) => new Date(from + days * DAY).toISOString();
  const login = (email: string) => t.http.post('/v1/auth/login', { tenant: acme.slug, email, password: PASSWORD });
  /** The clock jumps by days: the admin signs in again so their session has not idled out. */
  const freshAdmin = async () => {
    acme.admin.token = await signIn(t.http, acme.slug, acme.admin.email);
  };
  /** A user of any roles with one active authenticator app; the clock moves a step on, as `aUserWithTotp`. */
  async function withTotp(roles: string[]) {
    const user = await aUser(t.http, acme, roles);
    const { factorId, secret } = await enrolTotp(t.http, user.token);
    expect((await verifyFactor(t.http, user.token, factorId, totpCodeAt(secret, clock))).status).toBe(200);
    clock.advance(STEP);
    return user;
  }
  /** A user whose authenticator app was never verified: a pending factor only. */
  async function withPendingTotp() {
    const user = await aUser(t.http, acme);
    await enrolTotp(t.http, user.token);
    return user;
  }
  const scopeStarts = async (tenantId = acme.id) =>
    (await t.sql<{ n: number }>('select count(*)::int as n from mfa_scope_starts where tenant_id = $1', [tenantId]))[0]!
      .n;
  /** Scope starts are recorded by an event handler after the commit: wait for them. */
  async function untilScopeStarts(n: number) {
    await waitUntil(() => scopeStarts(), { what: `${n} scope starts`, until: (started) => started >= n });
    expect(await scopeStarts()).toBe(n);
  }

  it('counts the users a policy would cover and those with an active factor of a method it allows', async () => {
    const twoApps = await aUserWithTotp(t.http, acme, clock);
    const session = await signInWithTotp(t.http, acme, twoApps, clock);
    const second = await enrolTotp(t.http, session);
    expect((await verifyFactor(t.http, session, second.factorId, totpCodeAt(second.secret, clock))).status).toBe(200);
    clock.advance(STEP);
    await aUserWithTotp(t.http, acme, clock);
    await withPendingTotp();
    await aUser(t.http, acme);
    await withTotp(['manager']);
    await aUser(t.http, acme, ['manager']);

    const res = await preview(required());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      inScope: 7,
      enrolled: 3,
      notEnrolled: 4,
      deadline: inDays(14),
      alreadyOverdue: 0,
      earliestDeadline: inDays(14),
    });

    const emailOnly = await preview(required({ allowedMethods: ['email'], gracePeriodDays: 3 }));
    expect(emailOnly.body).toMatchObject({ inScope: 7, enrolled: 0, notEnrolled: 7, deadline: inDays(3) });
  });

  it('covers only the required roles, counting a user with several of them once', async () => {
    await aUser(t.http, acme, ['member']);
    await withTotp(['manager']);
    await aUser(t.http, acme, ['member', 'manager']);

    const counts = async (requiredRoles: string[]) => {
      const { inScope, enrolled, notEnrolled } = (await preview(required({ requiredRoles }))).body;
      return { inScope, enrolled, notEnrolled };
    };
    expect(await counts(['manager'])).toEqual({ inScope: 2, enrolled: 1, notEnrolled: 1 });
    expect(await counts(['member', 'manager'])).toEqual({ inScope: 3, enrolled: 1, notEnrolled: 2 });
    expect(await counts(['admin'])).toEqual({ inScope: 1, enrolled: 0, notEnrolled: 1 });
    expect(await counts([])).toEqual({ inScope: 4, enrolled: 1, notEnrolled: 3 });
  });

  it('covers nobody when the policy does not require MFA: zeros and no deadline', async () => {
    await aUser(t.http, acme);
    await withTotp(['member']);
    const res = await preview({ requireMfa: false, gracePeriodDays: 0 });
    expect(res.body).toEqual({
      inScope: 0,
      enrolled: 0,
      notEnrolled: 0,
      deadline: null,
      alreadyOverdue: 0,
      earliestDeadline: null,
    });
  });

  it('saves nothing: no version, no audit entry, no scope start, and so needs no recent re-auth', async () => {
    await aUser(t.http, acme);
    clock.advance(11 * MINUTE);
    const res = await preview(required({ gracePeriodDays: 0 }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ inScope: 2, alreadyOverdue: 2 });

    expect((await t.http.get('/v1/admin/mfa-policy', acme.admin.token)).body).toMatchObject({
      requireMfa: false,
      version: 0,
    });
    const audited = await t.sql(`select 1 from audit_events where tenant_id = $1 and action = 'PolicyChanged'`, [
      acme.id,
    ]);
    expect(audited).toEqual([]);
    expect(await scopeStarts()).toBe(0);
  });

  it('counts as already overdue those a shorter grace period puts past their deadline, as enforcement then does', async () => {
    const none = await aUser(t.http, acme);
    const pending = await withPendingTotp();
    const enrolled = await aUserWithTotp(t.http, acme, clock);
    const manager = await aUser(t.http, acme, ['manager']);
    const savedAt = clock.now().getTime();
    await setMfaPolicy(t.http, acme, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 30 });
    clock.advance(8 * DAY);
    await freshAdmin();
    const newcomer = await aUser(t.http, acme);
    await untilScopeStarts(4);
    clock.advance(2 * DAY);
    await freshAdmin();

    const proposed = { requireMfa: true, requiredRoles: ['member', 'manager'], gracePeriodDays: 5 };
    const overdueWith = async (gracePeriodDays: number) =>
      (await preview({ ...proposed, gracePeriodDays })).body.alreadyOverdue;
    expect(await overdueWith(30)).toBe(0);
    expect(await overdueWith(11)).toBe(0);
    // In scope for exactly 10 days: a 10-day deadline is this millisecond, and that is overdue.
    expect(await overdueWith(10)).toBe(2);
    const res = await preview(proposed);
    expect(res.body).toEqual({
      inScope: 5,
      enrolled: 1,
      notEnrolled: 4,
      deadline: inDays(5),
      alreadyOverdue: 2,
      earliestDeadline: inDays(5, savedAt),
    });

    await setMfaPolicy(t.http, acme, proposed);
    const statuses: Record<string, string> = {};
    for (const [name, user] of Object.entries({ none, pending, enrolled, manager, newcomer })) {
      statuses[name] = (await login(user.email)).body.status;
    }
    expect(statuses).toEqual({
      none: 'mfa_enrollment_required',
      pending: 'mfa_enrollment_required',
      enrolled: 'mfa_required',
      manager: 'authenticated',
      newcomer: 'authenticated',
    });
    expect(Object.values(statuses).filter((s) => s === 'mfa_enrollment_required')).toHaveLength(
      res.body.alreadyOverdue,
    );
  });

  it("never counts another tenant's users", async () => {
    await aUserWithTotp(t.http, acme, clock);
    const other = await aTenant(t.http);
    for (let i = 0; i < 2; i++) await aUser(t.http, other);
    await aUserWithTotp(t.http, other, clock);
    await setMfaPolicy(t.http, other, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 30 });
    clock.advance(3 * DAY);
    await freshAdmin();
    other.admin.token = await signIn(t.http, other.slug, other.admin.email);

    const proposed = required({ requiredRoles: ['member'], gracePeriodDays: 1 });
    expect((await preview(proposed)).body).toMatchObject({
      inScope: 1,
      enrolled: 1,
      alreadyOverdue: 0,
      earliestDeadline: null,
    });
    expect((await preview(proposed, other)).body).toMatchObject({ inScope: 3, enrolled: 1, alreadyOverdue: 2 });
  });

  it('is for admins only: members 403, API keys 403, no token 401', async () => {
    const member = await aUser(t.http, acme);
    expect((await preview(required(), acme, member.token)).status).toBe(403);
    const key = await t.http.post('/v1/admin/api-keys', { name: 'siem', scopes: ['tenant:manage'] }, acme.admin.token);
    expect((await preview(required(), acme, key.body.key)).status).toBe(403);
    expect((await t.http.post('/v1/admin/mfa-policy/preview', { ...DEFAULTS })).status).toBe(401);
  });

  it('refuses a body that is not a whole, valid policy with 400 validation_failed', async () => {
    for (const body of [
      { ...DEFAULTS, gracePeriodDays: 91 },
      { ...DEFAULTS, allowedMethods: [] },
      { ...DEFAULTS, requiredRoles: ['owner'] },
      { ...DEFAULTS, surprise: true },
      { requireMfa: true },
    ]) {
      const res = await t.http.post('/v1/admin/mfa-policy/preview', body, acme.admin.token);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('validation_failed');
    }
  });
});
