import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '../../src/common/clock.js';
import { SocketGateway } from '../../src/live/socket-gateway.js';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { setMfaPolicy } from '../support/policy.js';
import { nextDisconnect, SocketPool } from '../support/sockets.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { aUserWithTotp, enrolTotp, totpCodeAt, verifyFactor } from '../support/totp.js';
import { waitUntil } from '../support/wait.js';

const STEP = 30_000;

/**
 * Issue 10, point 2, when only the client app is enforced: the live connection serves the tenant's client
 * apps, so a session opened through the console is held there to the client app's rules. An overdue user
 * cannot carry a console session onto it, nor an enrolled user a console session without a second factor.
 */
describe('console sessions on the live connection, held to the client app’s rules', () => {
  const clock = new ManualClock('2030-07-01T09:00:05Z');
  const sockets = new SocketPool();
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await startTestApp({ clock });
    url = t.http.baseUrl;
  });
  afterEach(() => sockets.closeAll());
  afterAll(() => t.close());

  const ONLY_CLIENT = { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 0, enforceOn: ['client'] };

  /** A tenant with a console and a client app, and its policy. */
  async function tenantWithApps(policy: Record<string, unknown>) {
    const tenant = await aTenant(t.http);
    const keyOf = async (kind: string) => {
      const res = await t.http.post('/v1/admin/apps', { name: `${kind} app`, kind }, tenant.admin.token);
      expect(res.status).toBe(201);
      return res.body.key as string;
    };
    const keys = { console: await keyOf('console'), client: await keyOf('client') };
    await setMfaPolicy(t.http, tenant, policy);
    return { tenant, keys };
  }

  const login = (tenant: TenantFixture, email: string, appKey: string) =>
    t.http.request('POST', '/v1/auth/login', {
      body: { tenant: tenant.slug, email, password: PASSWORD },
      headers: { 'x-stepguard-app-key': appKey },
    });

  const refusalsOf = (userId: string) =>
    t.sql<{ details: { reason: string; refusal: string } }>(
      `select details from audit_events where action = 'AccessDenied' and actor_id = $1 order by seq`,
      [userId],
    );

  it('refuses an overdue user’s console session (mfa_enrollment_required), on record once, until a factor is added in it', async () => {
    const { tenant, keys } = await tenantWithApps(ONLY_CLIENT);
    const member = await aUser(t.http, tenant);
    expect((await login(tenant, member.email, keys.client)).body.status).toBe('mfa_enrollment_required');
    // The console is not enforced: the console app signs the user in fully, as it should.
    const signedIn = await login(tenant, member.email, keys.console);
    expect(signedIn.body.status).toBe('authenticated');
    const token = signedIn.body.token as string;
    expect((await t.http.get('/v1/me', token)).body.session).toMatchObject({ app: 'console' });

    expect(await sockets.refusal(url, token)).toBe('mfa_enrollment_required');
    expect(await sockets.refusal(url, token)).toBe('mfa_enrollment_required');
    const sdk = sockets.sdk(url, token);
    await expect(sdk.connection.connected()).rejects.toMatchObject({ code: 'mfa_enrollment_required' });
    expect(sdk.signOuts).toEqual([{ reason: 'mfa_enrollment_required' }]);
    expect(sdk.connection.state).toBe('signed_out');
    // Three refused handshakes, one entry for the window (as every refused handshake).
    const onRecord = await waitUntil(() => refusalsOf(member.id), { what: 'the refused handshake on record' });
    expect(onRecord.map((r) => r.details)).toEqual([
      expect.objectContaining({ reason: 'socket_refused', refusal: 'mfa_enrollment_required' }),
    ]);

    // A factor added in the console session raises it to aal 2 with a new token, which connects.
    const { factorId, secret } = await enrolTotp(t.http, token);
    const verified = await verifyFactor(t.http, token, factorId, totpCodeAt(secret, clock));
    expect(verified.status).toBe(200);
    clock.advance(STEP);
    await expect(sockets.connect(url, verified.body.token)).resolves.toBeDefined();
  });

  it('makes a console session at aal 1 of a user the client app would ask for a factor step up before it connects', async () => {
    const { tenant, keys } = await tenantWithApps(ONLY_CLIENT);
    const member = await aUserWithTotp(t.http, tenant, clock);
    // The one way a console sign-in of an enrolled user asks no factor: the user's factor is of a method
    // the policy does not allow at the time (sign-in offers only allowed methods).
    await setMfaPolicy(t.http, tenant, { allowedMethods: ['email'] });
    const signedIn = await login(tenant, member.email, keys.console);
    expect(signedIn.body).toMatchObject({ status: 'authenticated', session: { aal: 1 } });
    const token = signedIn.body.token as string;
    expect((await t.http.get('/v1/me', token)).body.session).toMatchObject({ app: 'console' });
    // Meanwhile the factor does not count for the client app either: overdue there.
    expect(await sockets.refusal(url, token)).toBe('mfa_enrollment_required');

    await setMfaPolicy(t.http, tenant, { allowedMethods: ['totp', 'email'] });
    expect(await sockets.refusal(url, token)).toBe('step_up_required');
    const sdk = sockets.sdk(url, token);
    await expect(sdk.connection.connected()).rejects.toMatchObject({ code: 'step_up_required' });
    expect(sdk.stepUps).toEqual([{ reason: 'step_up_required', source: 'refused' }]);
    const stepped = await sdk.connection.stepUp(totpCodeAt(member.secret, clock));
    expect(stepped).not.toBe(token);
    expect(sdk.connection.state).toBe('connected');
    expect((await t.http.get('/v1/me', stepped)).body.session).toMatchObject({ app: 'console', aal: 2 });
    expect(await sockets.refusal(url, token)).toBe('unauthorized');
  });

  it('lets console sessions the client app would let in connect: out of scope, in grace, at aal 2', async () => {
    const { tenant, keys } = await tenantWithApps(ONLY_CLIENT);
    const connects = async (token: string) => expect(sockets.connect(url, token)).resolves.toBeDefined();
    // Out of scope by role.
    const admin = await login(tenant, tenant.admin.email, keys.console);
    expect(admin.body.status).toBe('authenticated');
    await connects(admin.body.token);
    // Enrolled and signed in with the factor.
    const enrolled = await aUserWithTotp(t.http, tenant, clock);
    const challenged = await login(tenant, enrolled.email, keys.console);
    expect(challenged.body.status).toBe('mfa_required');
    const verified = await t.http.post(`/v1/auth/challenges/${challenged.body.challengeId}/verify`, {
      method: 'totp',
      code: totpCodeAt(enrolled.secret, clock),
    });
    expect(verified.body.session).toMatchObject({ aal: 2 });
    await connects(verified.body.token);
    // Within the grace period.
    const lenient = await tenantWithApps({ ...ONLY_CLIENT, gracePeriodDays: 14 });
    const member = await aUser(t.http, lenient.tenant);
    const inGrace = await login(lenient.tenant, member.email, lenient.keys.console);
    expect(inGrace.body.status).toBe('authenticated');
    expect((await t.http.get('/v1/me', inGrace.body.token)).body.mfa).toMatchObject({
      required: true,
      status: 'grace',
    });
    await connects(inGrace.body.token);
  });

  it('closes a connected console session at the re-check once a policy change leaves its user overdue', async () => {
    const { tenant, keys } = await tenantWithApps({ ...ONLY_CLIENT, requiredRoles: ['manager'] });
    const member = await aUser(t.http, tenant);
    const token = (await login(tenant, member.email, keys.console)).body.token as string;
    const socket = await sockets.connect(url, token);
    const closed = nextDisconnect(socket);
    // Stricter: members are in scope now, with no grace. Grace enforcement spares the console's sessions.
    await setMfaPolicy(t.http, tenant, { requiredRoles: ['manager', 'member'] });
    expect(await t.app.get(SocketGateway).recheckSockets()).toBeGreaterThanOrEqual(1);
    expect(await closed).toMatchObject({
      event: 'stepguard:session_revoked',
      payload: { reason: 'mfa_enrollment_required' },
    });
    expect(await sockets.refusal(url, token)).toBe('mfa_enrollment_required');
    expect((await t.http.get('/v1/me', token)).status).toBe(200);
  });
});
