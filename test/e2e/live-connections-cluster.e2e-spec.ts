import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SystemClock } from '../../src/common/clock.js';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { startCluster, type Cluster } from '../support/cluster.js';
import { setMfaPolicy } from '../support/policy.js';
import { nextDisconnect, SocketPool } from '../support/sockets.js';
import type { HttpClient } from '../support/http.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { enrolTotp, totpCodeAt, verifyFactor } from '../support/totp.js';

/**
 * Three api processes and one worker on loopback, on one PostgreSQL and one Redis: whichever node a
 * socket is on, a disconnect or a revocation requested anywhere (or done by the worker) reaches it.
 */
describe('live connections across nodes (3 api processes, 1 worker)', () => {
  const clock = new SystemClock();
  const sockets = new SocketPool();
  let cluster: Cluster;
  let acme: TenantFixture;
  beforeAll(async () => {
    cluster = await startCluster({ apiNodes: 3, workers: 1 });
    acme = await aTenant(cluster.nodes[0]!.http);
  }, 120_000);
  afterEach(() => sockets.closeAll());
  afterAll(() => cluster?.close());

  const node = (i: number) => cluster.nodes[i]!;

  /**
   * A user with an authenticator app, signed in afresh with a backup code: a session opened after the
   * factor existed (only such a factor steps a session up). Real time here: the enrolment uses the
   * previous step, so the current one is still unused for the step-up.
   */
  async function aUserWithTotpSignedInAgain(http: HttpClient) {
    const user = await aUser(http, acme);
    const { factorId, secret } = await enrolTotp(http, user.token);
    const verified = await verifyFactor(http, user.token, factorId, totpCodeAt(secret, clock, -1));
    expect(verified.status).toBe(200);
    const login = await http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: user.password });
    const opened = await http.post(`/v1/auth/challenges/${login.body.challengeId}/verify`, {
      method: 'backup_code',
      code: verified.body.backupCodes[0],
    });
    expect(opened.status).toBe(200);
    return { ...user, secret, token: opened.body.token as string };
  }

  it('a disconnect asked of node A closes the sockets held by A, B and C; step-up on C lets B take it back', async () => {
    const [a, b, c] = [node(0), node(1), node(2)];
    const user = await aUserWithTotpSignedInAgain(a.http);
    const secret = user.secret;
    const held = await Promise.all([a, b, c].map((n) => sockets.connect(n.url, user.token)));
    const closed = held.map(nextDisconnect);

    const res = await a.http.post(
      `/v1/admin/users/${user.id}/disconnect`,
      { reason: 'SOC ticket 4711' },
      acme.admin.token,
    );
    expect(res.status).toBe(202);
    // Two sessions: the one the factor was enrolled in, and the one signed in with the backup code.
    expect(res.body).toEqual({ sessionsAffected: 2, socketsDisconnected: 3, allNodesReached: true });
    for (const d of await Promise.all(closed)) {
      expect(d).toEqual({
        event: 'stepguard:step_up_required',
        payload: { reason: 'SOC ticket 4711' },
        reason: 'io server disconnect',
      });
    }
    for (const n of [a, b, c]) expect(await sockets.refusal(n.url, user.token)).toBe('step_up_required');

    const stepped = await c.http.post(
      '/v1/auth/step-up',
      { method: 'totp', code: totpCodeAt(secret, clock) },
      user.token,
    );
    expect(stepped.status).toBe(200);
    expect((await sockets.connect(b.url, stepped.body.token)).connected).toBe(true);
    expect(await sockets.refusal(b.url, user.token)).toBe('unauthorized');
  });

  it('the SDK on node C is told to step up when node B is asked, and reconnects after stepUp(code)', async () => {
    const user = await aUserWithTotpSignedInAgain(node(0).http);
    const secret = user.secret;
    const { connection, stepUps } = sockets.sdk(node(2).url, user.token);
    await connection.connected();
    const closed = nextDisconnect(connection.socket);
    const key = (
      await node(1).http.post('/v1/admin/api-keys', { name: 'siem', scopes: ['sessions:disconnect'] }, acme.admin.token)
    ).body.key;
    expect((await node(1).http.post(`/v1/admin/users/${user.id}/disconnect`, { reason: 'risk' }, key)).status).toBe(
      202,
    );
    await closed;
    expect(stepUps).toEqual([{ reason: 'risk', source: 'disconnected' }]);
    // The SDK talks HTTP to the node it is connected to; any node would do.
    await connection.stepUp(totpCodeAt(secret, clock));
    expect(connection.socket.connected).toBe(true);
  });

  it('a session revoked through node A closes its socket on node C', async () => {
    const user = await aUser(node(0).http, acme);
    const socket = await sockets.connect(node(2).url, user.token);
    const closed = nextDisconnect(socket);
    const sessionId = (await node(1).http.get('/v1/me', user.token)).body.session.id;
    expect(
      (await node(0).http.request('DELETE', `/v1/admin/sessions/${sessionId}`, { token: acme.admin.token })).status,
    ).toBe(204);
    expect(await closed).toMatchObject({ event: 'stepguard:session_revoked', payload: { reason: 'admin_revoked' } });
    expect(await sockets.refusal(node(1).url, user.token)).toBe('unauthorized');
  });

  it('grace enforcement in the worker process closes the sockets the api nodes hold', async () => {
    const strict = await aTenant(node(0).http);
    const member = await aUser(node(0).http, strict);
    const onB = await sockets.connect(node(1).url, member.token);
    const onC = await sockets.connect(node(2).url, member.token);
    const closed = [onB, onC].map(nextDisconnect);
    await setMfaPolicy(node(0).http, strict, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 0 });

    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const grace = new Queue('grace', { connection: redis, prefix: `${cluster.redisPrefix}:bull` });
    try {
      await grace.add('grace-sweep', {}, { jobId: `grace-sweep-now-${Date.now()}` });
      for (const d of await Promise.all(closed)) {
        expect(d).toMatchObject({ event: 'stepguard:session_revoked', payload: { reason: 'grace_expired' } });
      }
    } finally {
      await grace.close();
      await redis.quit();
    }
  });
});
