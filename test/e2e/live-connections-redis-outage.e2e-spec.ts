import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { startCluster, type Cluster } from '../support/cluster.js';
import { OwnRedis } from '../support/own-redis.js';
import { nextDisconnect, SocketPool, stillConnected } from '../support/sockets.js';
import { waitUntil } from '../support/wait.js';

/**
 * Two api processes on a Redis this test owns and stops: the step-up flag lives in PostgreSQL, so a
 * disconnect asked for during the outage refuses reconnection at once, and the socket that the other
 * node holds (which the kick cannot reach yet) is closed as soon as Redis is back.
 */
describe('live connections while Redis is down', () => {
  const sockets = new SocketPool();
  let redis: OwnRedis;
  let cluster: Cluster;
  let acme: TenantFixture;
  beforeAll(async () => {
    redis = await OwnRedis.start();
    cluster = await startCluster({
      apiNodes: 2,
      workers: 0,
      redis: { REDIS_URL: redis.url },
      // No periodic re-check within the test: what closes the sockets is the kick or the catch-up on reconnect.
      env: { SOCKET_KICK_TIMEOUT_MS: '500', SOCKET_RECHECK_INTERVAL_SECONDS: '3600' },
    });
    acme = await aTenant(cluster.nodes[0]!.http);
  }, 120_000);
  afterAll(async () => {
    sockets.closeAll();
    await cluster?.close();
    await redis?.stop();
  });

  it('puts on record the sockets a node closes after the API stopped waiting for it', async () => {
    const [a, b] = cluster.nodes as [Cluster['nodes'][0], Cluster['nodes'][0]];
    const user = await aUser(a.http, acme);
    const held = await sockets.connect(b.url, user.token);
    const closed = nextDisconnect(held);

    b.process.child.kill('SIGSTOP'); // node B hangs: it hears nothing and answers nothing
    let res;
    try {
      res = await a.http.post(`/v1/admin/users/${user.id}/disconnect`, { reason: 'slow node' }, acme.admin.token);
    } finally {
      b.process.child.kill('SIGCONT');
    }
    expect(res.body).toEqual({ sessionsAffected: 1, socketsDisconnected: 0, allNodesReached: false });
    expect(await closed).toMatchObject({ event: 'stepguard:step_up_required', payload: { reason: 'slow node' } });
    const audited = async () =>
      (await a.http.get('/v1/admin/audit?action=SessionDisconnected', acme.admin.token)).body.events.filter(
        (e: { details: { userId: string } }) => e.details.userId === user.id,
      );
    const entries = await waitUntil(audited, {
      what: 'the late closure on record',
      until: (found) => found.length > 0,
    });
    expect(entries).toEqual([
      expect.objectContaining({
        actor: { type: 'user', id: acme.admin.id },
        details: { reason: 'slow node', userId: user.id, sockets: 1, allNodesReached: false },
      }),
    ]);
  }, 30_000);

  it('does not say every node was reached while a node’s subscription is gone', async () => {
    const [a, b] = cluster.nodes as [Cluster['nodes'][0], Cluster['nodes'][0]];
    const user = await aUser(a.http, acme);
    const closed = nextDisconnect(await sockets.connect(b.url, user.token));
    // Ready means marked among the live nodes: from then on a kick waits for node B's answer.
    await waitUntil(() => b.http.get('/readyz'), { what: 'node B ready', until: (r) => r.status === 200 });
    const admin = new Redis(redis.url);
    let res;
    b.process.child.kill('SIGSTOP');
    try {
      // Every subscriber connection is cut: node A's comes back, node B's cannot while B is stopped. The
      // channel then counts node A alone, and the adapter expects no answer from anyone.
      const before = new Set(await subscribersOf(admin));
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      await waitUntil(() => subscribersOf(admin), {
        what: 'node A subscribed again, alone',
        until: (ids) => ids.length === 1 && !before.has(ids[0]!),
      });
      await waitUntil(() => a.http.get('/readyz'), { what: 'node A ready again', until: (r) => r.status === 200 });
      res = await a.http.post(`/v1/admin/users/${user.id}/disconnect`, { reason: 'unheard' }, acme.admin.token);
    } finally {
      b.process.child.kill('SIGCONT');
      admin.disconnect();
    }
    expect(res.body).toEqual({ sessionsAffected: 1, socketsDisconnected: 0, allNodesReached: false });
    // Node B catches up from PostgreSQL when its subscription is back.
    expect(await closed).toMatchObject({ event: 'stepguard:step_up_required', payload: { reason: 'unheard' } });
    await waitUntil(() => b.http.get('/readyz'), { what: 'node B ready again', until: (r) => r.status === 200 });
  }, 30_000);

  it('refuses reconnection during the outage and closes the other node’s socket when Redis returns', async () => {
    const [a, b] = cluster.nodes as [Cluster['nodes'][0], Cluster['nodes'][0]];
    const user = await aUser(a.http, acme);
    const held = await sockets.connect(b.url, user.token);
    const closed = nextDisconnect(held);

    await redis.stop();
    const res = await a.http.post(
      `/v1/admin/users/${user.id}/disconnect`,
      { reason: 'during outage' },
      acme.admin.token,
    );
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ sessionsAffected: 1, socketsDisconnected: 0, allNodesReached: false });
    for (const n of [a, b]) expect(await sockets.refusal(n.url, user.token)).toBe('step_up_required');
    expect(await stillConnected(held)).toBe(true);

    await redis.start();
    expect(await closed).toEqual({
      event: 'stepguard:step_up_required',
      payload: { reason: 'during outage' },
      reason: 'io server disconnect',
    });
    expect(await sockets.refusal(b.url, user.token)).toBe('step_up_required');

    // Right after the outage, whichever node has its subscriptions back first, a new disconnect still
    // reaches node B (node A publishes unasked while its own subscription is not back).
    const next = await aUser(a.http, acme);
    const nextClosed = nextDisconnect(await sockets.connect(b.url, next.token));
    expect(
      (await a.http.post(`/v1/admin/users/${next.id}/disconnect`, { reason: 'after' }, acme.admin.token)).status,
    ).toBe(202);
    expect((await nextClosed).payload).toEqual({ reason: 'after' });
  }, 30_000);

  it('closes the socket when Redis returns even if the node that took the request died meanwhile', async () => {
    const [a, b] = cluster.nodes as [Cluster['nodes'][0], Cluster['nodes'][0]];
    const user = await aUser(a.http, acme);
    const held = await sockets.connect(b.url, user.token);
    const closed = nextDisconnect(held);

    await redis.stop();
    const res = await a.http.post(`/v1/admin/users/${user.id}/disconnect`, { reason: 'node lost' }, acme.admin.token);
    expect(res.body).toMatchObject({ sessionsAffected: 1, allNodesReached: false });
    // The kick waiting in node A's Redis queue dies with it: only node B's own catch-up can close the socket.
    await a.process.stop('SIGKILL');
    await redis.start();
    expect(await closed).toMatchObject({ event: 'stepguard:step_up_required', payload: { reason: 'node lost' } });
  }, 30_000);
});

/** The ids of the Stepguard subscriber connections Redis has (one per api node whose subscription is up). */
async function subscribersOf(admin: Redis): Promise<string[]> {
  const list = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
  return [...list.matchAll(/^id=(\d+) .* name=stepguard:socket-sub /gm)].map((m) => m[1]!);
}
