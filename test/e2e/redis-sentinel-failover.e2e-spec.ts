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
  const nodes = () => cluster.nodes as [ApiNode, ApiNode];

  async function readyAgain(): Promise<void> {
    for (const node of nodes()) {
      await waitUntil(() => node.http.get('/readyz'), {
        what: `api node ${node.name} ready after the failover`,
        timeoutMs: FAILOVER_MS,
        until: (res) => res.status === 200,
      });
    }
  }

  /** Each user got their code by mail, and no outbox row of the whole run is left undelivered: no job lost. */
  async function everyCodeMailed(users: readonly { email: string }[]): Promise<void> {
    for (const user of users) expect((await codeMailTo(user.email)).text).toMatch(/Your code: \d{6}/);
    await waitUntil(
      () => cluster.sql<{ n: number }>('select count(*)::int as n from outbox_messages where delivered_at is null'),
      { what: 'every outbox row delivered', timeoutMs: MAIL_MS, until: ([row]) => row?.n === 0 },
    );
  }

  /** A Disconnect asked of `asked` closes the socket `holder` holds, and reaches every node. */
  async function disconnectAcross(asked: ApiNode, holder: ApiNode, reason: string): Promise<void> {
    const user = await aUser(asked.http, acme);
    const closed = nextDisconnect(await sockets.connect(holder.url, user.token));
    const res = await asked.http.post(`/v1/admin/users/${user.id}/disconnect`, { reason }, acme.admin.token);
    expect(res.body).toEqual({ sessionsAffected: 1, socketsDisconnected: 1, allNodesReached: true });
    expect(await closed).toMatchObject({ event: 'stepguard:step_up_required', payload: { reason } });
  }

  /** The names of the Stepguard connections a data node has now. */
  async function stepguardConnectionsOn(port: number): Promise<string[]> {
    const node = redis.dataNode(port);
    try {
      const list = (await node.call('CLIENT', 'LIST')) as string;
      return [...new Set([...list.matchAll(/ name=(stepguard:[a-z-]+) /g)].map((m) => m[1]!))].sort();
    } finally {
      node.disconnect();
    }
  }

  /** What every api node and worker keeps open (the emitter's connection is made on demand). */
  const EVERY_KIND = [
    'stepguard:main',
    'stepguard:queues',
    'stepguard:socket-pub',
    'stepguard:socket-sub',
    'stepguard:workers',
  ];

  it('keeps signing in, mailing and disconnecting across nodes when the master is killed', async () => {
    const [a, b] = nodes();
    const master = await redis.masterPort();
    const replica = redis.dataPorts.find((port) => port !== master)!;
    expect(await stepguardConnectionsOn(master)).toEqual(expect.arrayContaining(EVERY_KIND));

    // Before: users made and signed in through both nodes, codes mailed, a socket held on B.
    const before = [await aUser(a.http, acme), await aUser(b.http, acme)];
    expect(await enrolEmail(a, before[0]!.token)).toBe(201);
    expect(await enrolEmail(b, before[1]!.token)).toBe(201);
    for (const user of before) await codeMailTo(user.email);
    const waiting = [await aUser(a.http, acme), await aUser(b.http, acme)];
    const heldOnB = await aUser(a.http, acme);
    const closedOnB = nextDisconnect(await sockets.connect(b.url, heldOnB.token));

    // The master dies; codes are asked for while the sentinels have yet to promote the replica.
    const { switched } = await redis.nextSwitch(FAILOVER_MS);
    await redis.kill(master);
    const during = waiting.map((user, i) => enrolEmail(i === 0 ? a : b, user.token));
    expect(await switched).toEqual({ from: master, to: replica });
    expect(await redis.masterPort()).toBe(replica);
    await readyAgain();
    // A request made during the failover either was refused (503, nothing committed) or gets its mail.
    const duringStatuses = await Promise.all(during);
    for (const status of duringStatuses) expect([201, 503]).toContain(status);

    // After: sign-ins on either node, codes mailed (and those asked for during the failover), no row left.
    const after = [await aUser(a.http, acme), await aUser(b.http, acme)];
    for (const [i, user] of before.entries()) await signIn(i === 0 ? b.http : a.http, acme.slug, user.email);
    expect(await enrolEmail(b, after[0]!.token)).toBe(201);
    expect(await enrolEmail(a, after[1]!.token)).toBe(201);
    await everyCodeMailed([...after, ...waiting.filter((_, i) => duringStatuses[i] === 201)]);

    // The socket B held since before the failover is closed by a Disconnect through A; and the other way round.
    const kicked = await a.http.post(
      `/v1/admin/users/${heldOnB.id}/disconnect`,
      { reason: 'failover' },
      acme.admin.token,
    );
    expect(kicked.status).toBe(202);
    expect(await closedOnB).toMatchObject({ event: 'stepguard:step_up_required', payload: { reason: 'failover' } });
    await disconnectAcross(b, a, 'after failover');
    expect(await stepguardConnectionsOn(replica)).toEqual(expect.arrayContaining(EVERY_KIND));
  }, 300_000);

  // Starts where the test above left the set: the first master dead, the replica promoted.
  it('moves every connection to the new master in a failover asked of the sentinels, losing nothing', async () => {
    const [a, b] = nodes();
    const current = await redis.masterPort();
    const returning = redis.dataPorts.find((port) => port !== current)!;
    await redis.restart(returning);
    const users = [await aUser(a.http, acme), await aUser(b.http, acme)];

    const { switched } = await redis.nextSwitch(FAILOVER_MS);
    await redis.failover();
    const during = users.map((user, i) => enrolEmail(i === 0 ? b : a, user.token));
    expect(await switched).toEqual({ from: current, to: returning });
    await readyAgain();
    const statuses = await Promise.all(during);
    for (const status of statuses) expect([201, 503]).toContain(status);

    // The demoted master is up and answers as a replica: nothing of Stepguard may stay on it.
    await waitUntil(() => stepguardConnectionsOn(current), {
      what: `no Stepguard connection left on the demoted master ${current}`,
      timeoutMs: FAILOVER_MS,
      until: (names) => names.length === 0,
    });
    const after = await aUser(b.http, acme);
    expect(await enrolEmail(a, after.token)).toBe(201);
    await everyCodeMailed([after, ...users.filter((_, i) => statuses[i] === 201)]);
    await disconnectAcross(a, b, 'after switch');
    expect(await stepguardConnectionsOn(returning)).toEqual(expect.arrayContaining(EVERY_KIND));
  }, 300_000);
});
