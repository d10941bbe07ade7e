import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTenant, aUser, signIn, type TenantFixture } from '../support/builders.js';
import { startCluster, type ApiNode, type Cluster } from '../support/cluster.js';
import { SentinelSet } from '../support/sentinel.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { nextDisconnect, SocketPool } from '../support/sockets.js';
import { waitUntil } from '../support/wait.js';

/** A promotion and the reconnections after it take seconds; these bounds only make a hang fail loudly. */
const FAILOVER_MS = 60_000;
const MAIL_MS = 60_000;

/**
 * Two api processes and a worker on Redis behind three sentinels: the master is killed with SIGKILL
 * while users sign in, enrol e-mail factors and hold sockets; after the sentinels promote the replica,
 * every process works on the new master, and nothing queued before, during or after the failover is lost.
 */
describe('Redis Sentinel failover under a running platform (2 api processes, 1 worker)', () => {
  const sockets = new SocketPool();
  let smtp: TestSmtp;
  let redis: SentinelSet;
  let cluster: Cluster;
  let acme: TenantFixture;
  beforeAll(async () => {
    smtp = await startSmtp();
    redis = await SentinelSet.start();
    cluster = await startCluster({ apiNodes: 2, workers: 1, redis: redis.env, env: { SMTP_URL: smtp.url } });
    acme = await aTenant(cluster.nodes[0]!.http);
  }, 180_000);
  afterAll(async () => {
    sockets.closeAll();
    await cluster?.close();
    await redis?.stop();
    await smtp?.close();
  });

  /** Enrols an e-mail factor (its code goes out through the outbox, the queue and the worker); the HTTP status. */
  const enrolEmail = async (node: ApiNode, token: string) =>
    (await node.http.post('/v1/me/factors/email', {}, token)).status;
  const codeMailTo = (email: string) => smtp.nth(email, 1, MAIL_MS, /verification code/);

  it('signs in, mails every code queued before, during and after, and disconnects across nodes', async () => {
    const [a, b] = cluster.nodes as [ApiNode, ApiNode];
    const master = await redis.masterPort();
    const replica = redis.dataPorts.find((port) => port !== master)!;

    // Before: users made and signed in through both nodes, codes mailed, a socket held on B.
    const before = [await aUser(a.http, acme), await aUser(b.http, acme)];
    expect(await enrolEmail(a, before[0]!.token)).toBe(201);
    expect(await enrolEmail(b, before[1]!.token)).toBe(201);
    for (const user of before) await codeMailTo(user.email);
    const waiting = [await aUser(a.http, acme), await aUser(b.http, acme)];
    const heldOnB = await aUser(a.http, acme);
    const socketOnB = await sockets.connect(b.url, heldOnB.token);
    const closedOnB = nextDisconnect(socketOnB);

    // The master dies; codes are asked for while the sentinels have yet to promote the replica.
    const { switched } = await redis.nextSwitch(FAILOVER_MS);
    await redis.kill(master);
    const during = waiting.map((user, i) => enrolEmail(i === 0 ? a : b, user.token));
    expect(await switched).toEqual({ from: master, to: replica });
    expect(await redis.masterPort()).toBe(replica);

    // After: both api nodes are ready again on the new master.
    for (const node of [a, b]) {
      await waitUntil(() => node.http.get('/readyz'), {
        what: `api node ${node.name} ready after the failover`,
        timeoutMs: FAILOVER_MS,
        until: (res) => res.status === 200,
      });
    }
    // A request made during the failover either was refused (503, nothing committed) or gets its mail.
    const duringStatuses = await Promise.all(during);
    for (const status of duringStatuses) expect([201, 503]).toContain(status);

    const after = [await aUser(a.http, acme), await aUser(b.http, acme)];
    for (const [i, user] of before.entries()) await signIn(i === 0 ? b.http : a.http, acme.slug, user.email);
    expect(await enrolEmail(b, after[0]!.token)).toBe(201);
    expect(await enrolEmail(a, after[1]!.token)).toBe(201);
    const mailed = [...after, ...waiting.filter((_, i) => duringStatuses[i] === 201)];
    for (const user of mailed) expect((await codeMailTo(user.email)).text).toMatch(/Your code: \d{6}/);
    // No job lost: every outbox row, before, during and after the failover, was delivered.
    await waitUntil(
      () => cluster.sql<{ n: number }>('select count(*)::int as n from outbox_messages where delivered_at is null'),
      {
        what: 'every outbox row delivered',
        timeoutMs: MAIL_MS,
        until: ([row]) => row?.n === 0,
      },
    );

    // A Disconnect through A closes the socket B held since before the failover; and the other way round.
    const kicked = await a.http.post(
      `/v1/admin/users/${heldOnB.id}/disconnect`,
      { reason: 'after failover' },
      acme.admin.token,
    );
    expect(kicked.status).toBe(202);
    expect(await closedOnB).toMatchObject({
      event: 'stepguard:step_up_required',
      payload: { reason: 'after failover' },
    });
    const heldOnA = await aUser(b.http, acme);
    const closedOnA = nextDisconnect(await sockets.connect(a.url, heldOnA.token));
    const kickedBack = await b.http.post(
      `/v1/admin/users/${heldOnA.id}/disconnect`,
      { reason: 'back' },
      acme.admin.token,
    );
    expect(kickedBack.body).toEqual({ sessionsAffected: 1, socketsDisconnected: 1, allNodesReached: true });
    expect(await closedOnA).toMatchObject({ payload: { reason: 'back' } });

    // Every kind of connection of every process is on the new master.
    const newMaster = redis.dataNode(replica);
    try {
      const names = new Set(
        [...((await newMaster.call('CLIENT', 'LIST')) as string).matchAll(/ name=(stepguard:[a-z-]+) /g)].map(
          (m) => m[1],
        ),
      );
      expect([...names].sort()).toEqual(
        expect.arrayContaining([
          'stepguard:main',
          'stepguard:queues',
          'stepguard:socket-pub',
          'stepguard:socket-sub',
          'stepguard:workers',
        ]),
      );
    } finally {
      newMaster.disconnect();
    }
  }, 300_000);
});
