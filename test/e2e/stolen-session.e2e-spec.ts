import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { WorkersModule } from '../../workers/workers.module.js';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { nextDisconnect, SocketPool } from '../support/sockets.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, enrolTotp, signInWithTotp, totpCodeAt, verifyFactor } from '../support/totp.js';
import { waitUntil } from '../support/wait.js';

const STEP = 30_000;
const MINUTE = 60_000;

/**
 * Security review 2, finding 1: whoever holds a session must not be able to add, swap or clear factors,
 * nor outlive the real user's step-up.
 */
describe('a stolen session', () => {
  const clock = new ManualClock('2030-05-01T09:00:10Z');
  const sockets = new SocketPool();
  let smtp: TestSmtp;
  let t: TestApp;
  let url: string;
  let acme: TenantFixture;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ clock, extra: [WorkersModule], env: { SMTP_URL: smtp.url } });
    url = t.http.baseUrl;
    acme = await aTenant(t.http);
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const disconnect = (sessionId: string) =>
    t.http.post(`/v1/admin/sessions/${sessionId}/disconnect`, { reason: 'SIEM: impossible travel' }, acme.admin.token);
  const sessionIdOf = async (token: string) => (await t.http.get('/v1/me', token)).body.session.id as string;
  const stepUp = (token: string, code: string) => t.http.post('/v1/auth/step-up', { method: 'totp', code }, token);

  it('is refused everything but step-up, who-am-I and logout once flagged; the real user steps up and the thief is left with nothing', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    const stolen = await signInWithTotp(t.http, acme, user, clock);
    const socket = await sockets.connect(url, stolen);
    const closed = nextDisconnect(socket);
    expect((await disconnect(await sessionIdOf(stolen))).status).toBe(202);
    expect((await closed).event).toBe('stepguard:step_up_required');

    // The thief tries to take the account over with the flagged token.
    const attempts = [
      await t.http.post('/v1/me/factors/totp', {}, stolen),
      await t.http.post('/v1/me/factors/email', {}, stolen),
      await t.http.request('DELETE', `/v1/me/factors/${user.factorId}`, {
        token: stolen,
        body: { code: totpCodeAt(user.secret, clock) },
      }),
      await t.http.post('/v1/me/backup-codes', {}, stolen),
      await t.http.post(
        '/v1/me/password',
        { currentPassword: user.password, newPassword: 'a brand new passphrase' },
        stolen,
      ),
      await t.http.post('/v1/me/sessions/revoke-others', {}, stolen),
      await t.http.request('DELETE', `/v1/me/sessions/${await sessionIdOf(stolen)}`, { token: stolen }),
      await t.http.get('/v1/me/sessions', stolen),
      await t.http.request('DELETE', '/v1/me/remembered-devices', { token: stolen }),
    ];
    for (const res of attempts) {
      expect({ status: res.status, code: res.body.code, type: res.headers.get('content-type') }).toEqual({
        status: 403,
        code: 'step_up_required',
        type: expect.stringContaining('application/problem+json'),
      });
    }
    expect((await t.http.get('/v1/me', stolen)).status).toBe(200);
    expect(await sockets.refusal(url, stolen)).toBe('step_up_required');
    expect((await t.sql('select count(*)::int as n from factors where user_id = $1', [user.id]))[0].n).toBe(1);

    // The real user steps up on the same session (their app holds the same token).
    const res = await stepUp(stolen, totpCodeAt(user.secret, clock));
    expect(res.status).toBe(200);
    const fresh = res.body.token as string;
    expect(fresh).not.toBe(stolen);
    expect((await t.http.get('/v1/me', stolen)).status).toBe(401);
    expect(await sockets.refusal(url, stolen)).toBe('unauthorized');
    expect((await t.http.get('/v1/me/sessions', fresh)).status).toBe(200);
    await expect(sockets.connect(url, fresh)).resolves.toBeDefined();

    // The user was told of the step-up demanded of their session, and the thief changed nothing to tell of.
    const notice = await smtp.nth(user.email, 1, 10_000, /confirm it is you/);
    expect(notice.text).toMatch(/asked to confirm your identity again[\s\S]*SIEM: impossible travel/);
    const told = await t.sql<{ action: string }>(
      `select a.action from outbox_messages o join audit_events a on a.id = o.ref_id
       where o.kind = 'security_notice' and o.user_id = $1 order by a.seq`,
      [user.id],
    );
    expect(told.map((r) => r.action)).toEqual(['FactorEnrolled', 'StepUpRequested']);

    // Every refusal is on the record, once per route and window: the HTTP ones and the refused handshake.
    const refusals = async () =>
      t.sql<{ details: { reason: string; resource: string } }>(
        `select details from audit_events where action = 'AccessDenied' and actor_id = $1 order by seq`,
        [user.id],
      );
    await waitUntil(refusals, {
      what: 'the refused handshake on record',
      until: (found) => found.some((r) => r.details.reason === 'socket_refused'),
    });
    const reasons = (await refusals()).map((r) => r.details.reason);
    expect(reasons.filter((r) => r === 'step_up_required')).toHaveLength(attempts.length);
    expect(reasons.filter((r) => r === 'socket_refused')).toHaveLength(1);
  });

  it('may still sign out once flagged, which ends the session', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    const token = await signInWithTotp(t.http, acme, user, clock);
    expect((await disconnect(await sessionIdOf(token))).status).toBe(202);
    expect((await t.http.post('/v1/auth/logout', undefined, token)).status).toBe(204);
    expect((await t.http.get('/v1/me', token)).status).toBe(401);
  });

  it('cannot add a factor without a fresh check by a factor the user already had', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    const session = await signInWithTotp(t.http, acme, user, clock);
    clock.advance(11 * MINUTE);
    const stale = await t.http.post('/v1/me/factors/totp', {}, session);
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('reauth_required');
    const steppedUp = await stepUp(session, totpCodeAt(user.secret, clock));
    expect(steppedUp.status).toBe(200);
    const second = await enrolTotp(t.http, steppedUp.body.token);
    clock.advance(STEP);
    const verified = await verifyFactor(
      t.http,
      steppedUp.body.token,
      second.factorId,
      totpCodeAt(second.secret, clock),
    );
    expect(verified.status).toBe(200);
  });

  it('cannot add a first factor on a password check older than the window', async () => {
    const user = await aUser(t.http, acme);
    clock.advance(11 * MINUTE);
    const res = await t.http.post('/v1/me/factors/totp', {}, user.token);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('reauth_required');
  });

  it('cannot use a first factor it added to prove anything: not step-up, not the enrolment of another', async () => {
    // With the first factor needing a fresh password and ending every other session, the session that
    // added it is the only place it lives, and there it proves nothing.
    const user = await aUser(t.http, acme);
    const mine = await enrolTotp(t.http, user.token);
    const enrolled = await verifyFactor(t.http, user.token, mine.factorId, totpCodeAt(mine.secret, clock));
    expect(enrolled.status).toBe(200);
    clock.advance(STEP);
    const token = enrolled.body.token as string;
    const res = await stepUp(token, totpCodeAt(mine.secret, clock));
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('mfa_code_invalid');
    const another = await t.http.post('/v1/me/factors/totp', {}, token);
    expect({ status: another.status, code: another.body.code }).toEqual({ status: 401, code: 'reauth_required' });
  });

  it('cannot use a factor it added against the user’s own: no removal, no step-up with its code', async () => {
    // The attacker's path of the review: a session fresh from the user's own factor adds the attacker's
    // authenticator, then offers its codes to remove the user's factor or to step up.
    const user = await aUserWithTotp(t.http, acme, clock);
    const session = await signInWithTotp(t.http, acme, user, clock);
    const theirs = await enrolTotp(t.http, session);
    const verified = await verifyFactor(t.http, session, theirs.factorId, totpCodeAt(theirs.secret, clock));
    expect(verified.status).toBe(200);
    const token = (verified.body.token as string | undefined) ?? session;
    clock.advance(STEP);
    const removal = await t.http.request('DELETE', `/v1/me/factors/${user.factorId}`, {
      token,
      body: { code: totpCodeAt(theirs.secret, clock) },
    });
    expect({ status: removal.status, code: removal.body?.code }).toEqual({ status: 401, code: 'mfa_code_invalid' });
    clock.advance(STEP);
    const steppedUp = await stepUp(token, totpCodeAt(theirs.secret, clock));
    expect({ status: steppedUp.status, code: steppedUp.body.code }).toEqual({ status: 401, code: 'mfa_code_invalid' });
    const active = await t.sql<{ id: string }>(`select id from factors where user_id = $1 and status = 'active'`, [
      user.id,
    ]);
    expect(active.map((f) => f.id).sort()).toEqual([user.factorId, theirs.factorId].sort());
  });

  it('ends the user’s older sessions when a factor is enrolled, the current one excepted, and closes their sockets', async () => {
    const user = await aUser(t.http, acme);
    const older = (
      await t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: user.password })
    ).body.token as string;
    const socket = await sockets.connect(url, older);
    const closed = nextDisconnect(socket);
    const { factorId, secret } = await enrolTotp(t.http, user.token);
    const verified = await verifyFactor(t.http, user.token, factorId, totpCodeAt(secret, clock));
    expect(verified.status).toBe(200);
    expect(await closed).toMatchObject({ event: 'stepguard:session_revoked', payload: { reason: 'factor_enrolled' } });
    expect((await t.http.get('/v1/me', older)).status).toBe(401);
    expect((await t.http.get('/v1/me', verified.body.token)).status).toBe(200);
  });

  it('closes sockets still on a replaced token, and the SDK moves to the new one', async () => {
    const user = await aUserWithTotp(t.http, acme, clock);
    const token = await signInWithTotp(t.http, acme, user, clock);
    const thief = await sockets.connect(url, token);
    const thiefClosed = nextDisconnect(thief);
    const tokens: string[] = [];
    const sdk = sockets.sdk(url, token, { onTokenChanged: (t) => tokens.push(t) });
    await sdk.connection.connected();
    const fresh = await sdk.connection.stepUp(totpCodeAt(user.secret, clock));
    expect(tokens).toEqual([fresh]);
    expect(await thiefClosed).toMatchObject({
      event: 'stepguard:session_revoked',
      payload: { reason: 'token_replaced' },
    });
    expect(sdk.connection.socket.connected).toBe(true);
    expect(sdk.signOuts).toEqual([]);
    expect(await sockets.refusal(url, token)).toBe('unauthorized');
  });
});
