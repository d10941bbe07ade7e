import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { AuditVerifier } from '../../src/audit/audit-verifier.js';
import { SocketGateway } from '../../src/live/socket-gateway.js';
import { aTenant, aUser, PASSWORD, signIn, type TenantFixture } from '../support/builders.js';
import { setMfaPolicy } from '../support/policy.js';
import { nextDisconnect, SocketPool, stillConnected } from '../support/sockets.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, totpCodeAt } from '../support/totp.js';

const STEP = 30_000;
const MINUTE = 60_000;

describe('live connections: the gateway, the Disconnect API and reconnect rules', () => {
  const clock = new ManualClock('2030-05-01T08:00:05Z');
  const sockets = new SocketPool();
  let t: TestApp;
  let acme: TenantFixture;
  let url: string;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    acme = await aTenant(t.http);
    url = t.http.baseUrl;
  });
  afterEach(() => sockets.closeAll());
  afterAll(() => t.close());

  /** A session opened through the login challenge, so a factor was verified in it. */
  async function challengeLogin(user: { email: string; secret: string }, tenant = acme) {
    const login = await t.http.post('/v1/auth/login', { tenant: tenant.slug, email: user.email, password: PASSWORD });
    const verified = await t.http.post(`/v1/auth/challenges/${login.body.challengeId}/verify`, {
      method: 'totp',
      code: totpCodeAt(user.secret, clock),
    });
    expect(verified.status).toBe(200);
    clock.advance(STEP);
    return { token: verified.body.token as string, sessionId: verified.body.session.id as string };
  }

  /** A user with TOTP, signed in through the challenge. */
  async function aUserSignedInWithTotp(tenant = acme) {
    const user = await aUserWithTotp(t.http, tenant, clock);
    return { ...user, ...(await challengeLogin(user, tenant)) };
  }

  const disconnectUser = (userId: string, token: string, reason = 'SIEM: impossible travel') =>
    t.http.post(`/v1/admin/users/${userId}/disconnect`, { reason }, token);
  const audit = async (action: string) =>
    (await t.http.get(`/v1/admin/audit?action=${action}&limit=100`, acme.admin.token)).body.events as any[];
  const apiKey = async (scopes: string[], tenant = acme) =>
    (await t.http.post('/v1/admin/api-keys', { name: `key-${scopes.join('-')}`, scopes }, tenant.admin.token)).body
      .key as string;

  describe('the handshake', () => {
    it('connects a live session and refuses a missing, malformed or unknown token, and an API key', async () => {
      const user = await aUser(t.http, acme);
      const socket = await sockets.connect(url, user.token);
      expect(socket.connected).toBe(true);
      expect(await sockets.refusal(url, undefined)).toBe('unauthorized');
      expect(await sockets.refusal(url, 42)).toBe('unauthorized');
      expect(await sockets.refusal(url, 'x'.repeat(10_000))).toBe('unauthorized');
      expect(await sockets.refusal(url, `sgs_${'A'.repeat(43)}`)).toBe('unauthorized');
      expect(await sockets.refusal(url, await apiKey(['sessions:disconnect']))).toBe('unauthorized');
    });

    it('refuses a revoked, an idle-expired and an enrol-only session', async () => {
      const revoked = await aUser(t.http, acme);
      expect((await t.http.post('/v1/auth/logout', undefined, revoked.token)).status).toBe(204);
      expect(await sockets.refusal(url, revoked.token)).toBe('unauthorized');

      const idle = await aUser(t.http, acme);
      clock.advance(61 * MINUTE);
      expect(await sockets.refusal(url, idle.token)).toBe('unauthorized');
      acme.admin.token = await signIn(t.http, acme.slug, acme.admin.email);

      const overdue = await aTenant(t.http);
      const member = await aUser(t.http, overdue);
      await setMfaPolicy(t.http, overdue, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 0 });
      const login = await t.http.post('/v1/auth/login', {
        tenant: overdue.slug,
        email: member.email,
        password: PASSWORD,
      });
      expect(login.body.status).toBe('mfa_enrollment_required');
      expect(await sockets.refusal(url, login.body.token)).toBe('unauthorized');
    });
  });

  describe('the Disconnect API', () => {
    it('tells every socket of the user why, closes them, and refuses the token until a step-up', async () => {
      const user = await aUserSignedInWithTotp();
      const { token: second } = await challengeLogin(user);
      const a = await sockets.connect(url, user.token);
      const b = await sockets.connect(url, user.token);
      const c = await sockets.connect(url, second);
      const closed = [a, b, c].map(nextDisconnect);

      const res = await disconnectUser(user.id, acme.admin.token);
      expect(res.status).toBe(202);
      // Three live sessions: the one that enrolled the factor, and two through the challenge.
      expect(res.body).toEqual({ sessionsAffected: 3, socketsDisconnected: 3, allNodesReached: true });
      for (const d of await Promise.all(closed)) {
        expect(d).toEqual({
          event: 'stepguard:step_up_required',
          payload: { reason: 'SIEM: impossible travel' },
          reason: 'io server disconnect',
        });
      }
      expect(await sockets.refusal(url, user.token)).toBe('step_up_required');
      expect(await sockets.refusal(url, second)).toBe('step_up_required');

      const steppedUp = await t.http.post(
        '/v1/auth/step-up',
        { method: 'totp', code: totpCodeAt(user.secret, clock) },
        user.token,
      );
      expect(steppedUp.status).toBe(200);
      expect((await sockets.connect(url, steppedUp.body.token)).connected).toBe(true);
      // The old token died with the step-up; the other session still owes its own.
      expect(await sockets.refusal(url, user.token)).toBe('unauthorized');
      expect(await sockets.refusal(url, second)).toBe('step_up_required');
    });

    it('makes the flagged session step up before anything else, whatever its re-auth window says', async () => {
      const user = await aUserSignedInWithTotp();
      expect((await disconnectUser(user.id, acme.admin.token)).status).toBe(202);
      const refused = await t.http.post('/v1/me/backup-codes', undefined, user.token);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('step_up_required');
      const code = totpCodeAt(user.secret, clock);
      const steppedUp = await t.http.post('/v1/auth/step-up', { method: 'totp', code }, user.token);
      expect(steppedUp.status).toBe(200);
      expect((await t.http.post('/v1/me/backup-codes', undefined, steppedUp.body.token)).status).toBe(201);
    });

    it('forgets the user’s remembered devices, so a new login cannot skip the factor check', async () => {
      const user = await aUserWithTotp(t.http, acme, clock);
      const login = await t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: PASSWORD });
      const verified = await t.http.post(`/v1/auth/challenges/${login.body.challengeId}/verify`, {
        method: 'totp',
        code: totpCodeAt(user.secret, clock),
        rememberDevice: true,
      });
      const { deviceToken } = verified.body;
      expect(deviceToken).toMatch(/^sgd_/);
      const relogin = () =>
        t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: PASSWORD, deviceToken });
      expect((await relogin()).body.status).toBe('authenticated');

      expect((await disconnectUser(user.id, acme.admin.token)).status).toBe(202);
      expect((await relogin()).body.status).toBe('mfa_required');
      const forgotten = (await audit('RememberedDevicesForgotten')).find((e) => e.target.id === user.id);
      expect(forgotten).toMatchObject({ actor: { type: 'user', id: acme.admin.id }, details: { forgotten: 1 } });
    });

    it('audits the request and each disconnected session with the caller and the reason', async () => {
      const user = await aUser(t.http, acme);
      const socket = await sockets.connect(url, user.token);
      const closed = nextDisconnect(socket);
      const key = await apiKey(['sessions:disconnect']);
      const keyId = (await t.http.get('/v1/admin/api-keys', acme.admin.token)).body.apiKeys.at(-1).id;
      expect((await disconnectUser(user.id, key, 'risk score 97')).status).toBe(202);
      await closed;

      const requested = (await audit('StepUpRequested')).find((e) => e.target.id === user.id);
      expect(requested).toMatchObject({
        outcome: 'success',
        actor: { type: 'api_key', id: keyId },
        target: { type: 'user', id: user.id },
        details: { reason: 'risk score 97', userId: user.id, sessionIds: [expect.any(String)] },
      });
      const disconnected = (await audit('SessionDisconnected')).find((e) => e.details.userId === user.id);
      expect(disconnected).toMatchObject({
        actor: { type: 'api_key', id: keyId },
        target: { type: 'session', id: requested.details.sessionIds[0] },
        details: { reason: 'risk score 97', sockets: 1, allNodesReached: true },
      });
    });

    it('per session: closes only that session, and leaves the user’s other sessions connected', async () => {
      const user = await aUserSignedInWithTotp();
      const { token: other } = await challengeLogin(user);
      const target = await sockets.connect(url, user.token);
      const bystander = await sockets.connect(url, other);
      const closed = nextDisconnect(target);
      const res = await t.http.post(
        `/v1/admin/sessions/${user.sessionId}/disconnect`,
        { reason: 'lost laptop' },
        acme.admin.token,
      );
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ sessionsAffected: 1, socketsDisconnected: 1, allNodesReached: true });
      expect((await closed).payload).toEqual({ reason: 'lost laptop' });
      expect(await stillConnected(bystander)).toBe(true);
      expect(await sockets.refusal(url, user.token)).toBe('step_up_required');
      expect((await sockets.connect(url, other)).connected).toBe(true);
    });

    it('answers 202 with nothing affected for a user without sessions, and 404 for an unknown one', async () => {
      const user = await aUser(t.http, acme);
      await t.http.post('/v1/auth/logout', undefined, user.token);
      expect((await disconnectUser(user.id, acme.admin.token)).body).toEqual({
        sessionsAffected: 0,
        socketsDisconnected: 0,
        allNodesReached: true,
      });
      const unknown = await disconnectUser('00000000-0000-4000-8000-000000000000', acme.admin.token);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('not_found');
      const session = await t.http.post(
        '/v1/admin/sessions/00000000-0000-4000-8000-000000000000/disconnect',
        { reason: 'x' },
        acme.admin.token,
      );
      expect(session.status).toBe(404);
    });

    it('refuses API keys without sessions:disconnect, managers, members and other tenants, and disconnects nothing', async () => {
      const user = await aUser(t.http, acme);
      const socket = await sockets.connect(url, user.token);
      const manager = await aUser(t.http, acme, ['manager']);
      const member = await aUser(t.http, acme, ['member']);
      const globex = await aTenant(t.http);
      const globexKey = await apiKey(['sessions:disconnect'], globex);
      const wideKey = await apiKey(['tenant:manage', 'sessions:manage', 'users:read', 'audit:read']);

      for (const [token, status] of [
        [wideKey, 403],
        [manager.token, 403],
        [member.token, 403],
        [globex.admin.token, 404],
        [globexKey, 404],
      ] as const) {
        const res = await disconnectUser(user.id, token);
        expect(res.status).toBe(status);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
      const sessionId = (await t.http.get('/v1/me', user.token)).body.session.id;
      expect((await t.http.post(`/v1/admin/sessions/${sessionId}/disconnect`, { reason: 'x' }, globexKey)).status).toBe(
        404,
      );
      expect(await stillConnected(socket)).toBe(true);
      expect((await sockets.connect(url, user.token)).connected).toBe(true);
    });

    it('answers each of 40 concurrent requests as if alone: its own sessions, sockets, reason and audit entries', async () => {
      const burst = await aTenant(t.http);
      const users = await Promise.all(Array.from({ length: 12 }, () => aUser(t.http, burst)));
      const held = await Promise.all(users.map((u) => sockets.connect(url, u.token)));
      const closed = held.map(nextDisconnect);
      const unknown = '00000000-0000-4000-8000-000000000000';
      // Every user three times (the repeats find nothing left to close), and an unknown user in the mix.
      const calls = [...users, ...users, ...users, { id: unknown }].map((u, i) =>
        disconnectUser(u.id, burst.admin.token, `burst ${i}`),
      );
      calls.push(...Array.from({ length: 3 }, () => disconnectUser(unknown, burst.admin.token)));
      const answers = await Promise.all(calls);

      expect(answers.slice(-4).map((a) => a.status)).toEqual([404, 404, 404, 404]);
      for (const [i, user] of users.entries()) {
        const mine = [i, i + 12, i + 24].map((n) => answers[n]!);
        expect(mine.map((a) => a.status)).toEqual([202, 202, 202]);
        expect(mine.map((a) => a.body.sessionsAffected)).toEqual([1, 1, 1]);
        // Exactly one of the three closed the user's one socket.
        expect(mine.map((a) => a.body.socketsDisconnected).sort()).toEqual([0, 0, 1]);
        expect((await closed[i]!).payload).toEqual({ reason: expect.stringMatching(/^burst \d+$/) });
        expect(await sockets.refusal(url, user.token)).toBe('step_up_required');
      }
      const events = (await t.http.get('/v1/admin/audit?limit=500', burst.admin.token)).body.events as any[];
      const requested = events.filter((e) => e.action === 'StepUpRequested');
      expect(requested.map((e) => e.details.reason).sort()).toEqual(
        Array.from({ length: 36 }, (_, i) => `burst ${i}`).sort(),
      );
      const disconnected = events.filter((e) => e.action === 'SessionDisconnected');
      expect(disconnected.map((e) => e.details.userId).sort()).toEqual(users.map((u) => u.id).sort());
      expect(await t.app.get(AuditVerifier).verify(burst.id)).toMatchObject({ ok: true });
    });

    it('rejects a missing, empty, oversized or control-character reason with validation_failed', async () => {
      const user = await aUser(t.http, acme);
      for (const body of [
        {},
        { reason: '' },
        { reason: '   ' },
        { reason: 'x'.repeat(201) },
        { reason: 'a\u0000b' },
        { reason: 'ok', extra: 1 },
      ]) {
        const res = await t.http.post(`/v1/admin/users/${user.id}/disconnect`, body, acme.admin.token);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('validation_failed');
      }
      expect(
        (await t.http.post('/v1/admin/users/not-a-uuid/disconnect', { reason: 'x' }, acme.admin.token)).status,
      ).toBe(400);
      for (const raw of ['{"reason": "x",', '[]', 'null', '"x"']) {
        const res = await t.http.request('POST', `/v1/admin/users/${user.id}/disconnect`, {
          raw,
          token: acme.admin.token,
          headers: { 'content-type': 'application/json' },
        });
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'validation_failed' });
      }
      const big = await t.http.post(
        `/v1/admin/users/${user.id}/disconnect`,
        { reason: 'x'.repeat(200_000) },
        acme.admin.token,
      );
      expect(big.status).toBe(413);
      // Nothing was flagged by any of them.
      expect(await sockets.connect(url, user.token)).toBeTruthy();
    });
  });

  describe('revocation closes the session’s sockets, from every path', () => {
    it.each([
      ['logout', (u: { token: string }) => t.http.post('/v1/auth/logout', undefined, u.token)],
      [
        'the user',
        async (u: { token: string }) => {
          const id = (await t.http.get('/v1/me', u.token)).body.session.id;
          const other = await signIn(t.http, acme.slug, (await t.http.get('/v1/me', u.token)).body.email);
          return t.http.request('DELETE', `/v1/me/sessions/${id}`, { token: other });
        },
      ],
      [
        'an admin',
        async (u: { token: string }) => {
          const id = (await t.http.get('/v1/me', u.token)).body.session.id;
          return t.http.request('DELETE', `/v1/admin/sessions/${id}`, { token: acme.admin.token });
        },
      ],
      [
        'a password change elsewhere',
        async (u: { token: string; email: string }) => {
          const other = await signIn(t.http, acme.slug, u.email);
          return t.http.post(
            '/v1/me/password',
            { currentPassword: PASSWORD, newPassword: 'another long passphrase' },
            other,
          );
        },
      ],
    ])('by %s', async (_path, revoke) => {
      const user = await aUser(t.http, acme);
      const socket = await sockets.connect(url, user.token);
      const closed = nextDisconnect(socket);
      expect((await revoke(user)).status).toBeLessThan(300);
      expect(await closed).toMatchObject({ event: 'stepguard:session_revoked', reason: 'io server disconnect' });
      expect(await sockets.refusal(url, user.token)).toBe('unauthorized');
    });
  });

  describe('connectionPolicy.totpPriorConnection', () => {
    it('admits only sessions with a factor check inside the re-auth window', async () => {
      const strict = await aTenant(t.http);
      const user = await aUserSignedInWithTotp(strict);
      const passwordOnly = await signIn(t.http, strict.slug, strict.admin.email);
      await setMfaPolicy(t.http, strict, { connectionPolicy: { totpPriorConnection: true }, reauthMaxAgeMinutes: 15 });

      expect((await sockets.connect(url, user.token)).connected).toBe(true);
      expect(await sockets.refusal(url, passwordOnly)).toBe('step_up_required');
      clock.advance(16 * MINUTE);
      // Keep the session from idling out meanwhile is not needed: 16 minutes is inside the idle timeout.
      expect(await sockets.refusal(url, user.token)).toBe('step_up_required');
      const steppedUp = await t.http.post(
        '/v1/auth/step-up',
        { method: 'totp', code: totpCodeAt(user.secret, clock) },
        user.token,
      );
      expect(steppedUp.status).toBe(200);
      expect((await sockets.connect(url, steppedUp.body.token)).connected).toBe(true);
      acme.admin.token = await signIn(t.http, acme.slug, acme.admin.email);
    });
  });

  describe('the client SDK', () => {
    it('reports the forced disconnect as a step-up, and reconnects after stepUp(code)', async () => {
      const user = await aUserSignedInWithTotp();
      const { connection, stepUps } = sockets.sdk(url, user.token);
      await connection.connected();
      expect(connection.state).toBe('connected');
      const closed = nextDisconnect(connection.socket);
      await disconnectUser(user.id, acme.admin.token, 'suspicious download');
      await closed;
      expect(stepUps).toEqual([{ reason: 'suspicious download', source: 'disconnected' }]);
      expect(connection.state).toBe('step_up_required');

      await expect(connection.stepUp('000000')).rejects.toMatchObject({ code: 'mfa_code_invalid', status: 401 });
      expect(connection.state).toBe('step_up_required');
      await connection.stepUp(totpCodeAt(user.secret, clock));
      expect(connection.state).toBe('connected');
      expect(connection.socket.connected).toBe(true);
    });

    it('reports a refused connection as a step-up, and a revoked session as signed out', async () => {
      const user = await aUserSignedInWithTotp();
      await disconnectUser(user.id, acme.admin.token);
      const refused = sockets.sdk(url, user.token);
      await expect(refused.connection.connected()).rejects.toMatchObject({ code: 'step_up_required' });
      expect(refused.stepUps).toEqual([{ reason: 'step_up_required', source: 'refused' }]);

      const other = await aUser(t.http, acme);
      const live = sockets.sdk(url, other.token);
      await live.connection.connected();
      const closed = nextDisconnect(live.connection.socket);
      await t.http.post('/v1/auth/logout', undefined, other.token);
      await closed;
      expect(live.signOuts).toEqual([{ reason: 'logout' }]);
      expect(live.connection.state).toBe('signed_out');
    });
  });

  describe('operations', () => {
    it('still echoes the request id with request logging off (LOG_LEVEL=silent)', async () => {
      expect(t.config.env.LOG_LEVEL).toBe('silent');
      const res = await t.http.request('GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
      expect(res.headers.get('x-request-id')).toBe('abc-123');
      expect((await t.http.get('/healthz')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('reports the live sockets this node holds at /metrics', async () => {
      const liveSockets = async () => {
        const text = (await t.http.get<string>('/metrics')).body;
        return Number(/^stepguard_live_sockets (\d+)$/m.exec(text)?.[1]);
      };
      const before = await liveSockets();
      const user = await aUser(t.http, acme);
      const socket = await sockets.connect(url, user.token);
      await sockets.connect(url, user.token);
      expect(await liveSockets()).toBe(before + 2);
      const closed = nextDisconnect(socket);
      await disconnectUser(user.id, acme.admin.token);
      await closed;
      expect(await liveSockets()).toBe(before);
    });
  });

  describe('the periodic re-check', () => {
    it('counts a connected socket as use of its session, so it does not idle out while the app is open', async () => {
      const connected = await aUser(t.http, acme);
      const idle = await aUser(t.http, acme);
      const socket = await sockets.connect(url, connected.token);
      for (let i = 0; i < 3; i++) {
        clock.advance(40 * MINUTE); // 120 minutes in all, twice the idle timeout
        await t.app.get(SocketGateway).recheckSockets();
      }
      expect(socket.connected).toBe(true);
      expect((await t.http.get('/v1/me', connected.token)).status).toBe(200);
      expect((await t.http.get('/v1/me', idle.token)).status).toBe(401);
      acme.admin.token = await signIn(t.http, acme.slug, acme.admin.email);
    });

    it('closes sockets whose session was flagged or revoked without a kick reaching the node', async () => {
      const flagged = await aUser(t.http, acme);
      const revoked = await aUser(t.http, acme);
      const fine = await aUser(t.http, acme);
      const [f, r, ok] = await Promise.all([flagged, revoked, fine].map((u) => sockets.connect(url, u.token)));
      const closed = [nextDisconnect(f!), nextDisconnect(r!)];
      await t.sql(`update sessions set step_up_required_at = now(), step_up_reason = 'missed' where user_id = $1`, [
        flagged.id,
      ]);
      await t.sql(`update sessions set revoked_at = now(), revoked_reason = 'missed' where user_id = $1`, [revoked.id]);

      expect(await t.app.get(SocketGateway).recheckSockets()).toBe(2);
      const [a, b] = await Promise.all(closed);
      expect(a).toMatchObject({ event: 'stepguard:step_up_required', payload: { reason: 'missed' } });
      expect(b).toMatchObject({ event: 'stepguard:session_revoked', payload: { reason: 'missed' } });
      expect(ok!.connected).toBe(true);
      // The step-up closure is audited by the node that made it; the revocation was audited when it happened.
      const caughtUp = (await audit('SessionDisconnected')).filter((e) => e.details.userId === flagged.id);
      expect(caughtUp).toEqual([
        expect.objectContaining({
          actor: { type: 'system', id: null },
          details: { reason: 'missed', userId: flagged.id, sockets: 1, closedBy: 're-check' },
        }),
      ]);
      expect((await audit('SessionDisconnected')).filter((e) => e.details.userId === revoked.id)).toEqual([]);
    });
  });
});
