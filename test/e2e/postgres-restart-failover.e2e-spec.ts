import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { runMigrations } from '../../src/infra/database/migrate.js';
import { aTenant, PASSWORD, type TenantFixture } from '../support/builders.js';
import { cli } from '../support/cli.js';
import { type ApiNode, type Cluster, startCluster } from '../support/cluster.js';
import type { HttpResult } from '../support/http.js';
import { OwnPostgres } from '../support/own-postgres.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/stream-webhook-receiver.js';
import { testConfig } from '../support/test-env.js';
import { waitUntil } from '../support/wait.js';
import { type Outcome, WriteTraffic } from '../support/write-traffic.js';

/** A start (with crash recovery) on this loaded machine takes seconds; far more means it failed. */
const BACK_WITHIN_MS = 60_000;
/** A 503 answers at once; this leaves room for a loaded machine, not for a wait on the database. */
const REFUSED_WITHIN_MS = 5000;
const LISTENING_AGAIN = /listening for appended events again/;
const LISTEN_FAILED = /audit stream listen: /;

/**
 * An api process and a worker process on a PostgreSQL server this test owns, reached through a TCP proxy
 * that stands for the Service in front of a cluster, with acknowledged writes (sign-ins, new users) running
 * all along, while the server is stopped and started, crashed, and finally lost and replaced by its
 * synchronous standby. While no primary can be reached, readiness says so and every write answers 503
 * problem+json at once; once one is back, the same processes serve again without a restart, and every
 * write the api acknowledged is in the database.
 */
describe('PostgreSQL restarts and failovers with traffic running', () => {
  /** The server that is the primary now (the standby, once the failover promoted it). */
  let primary: OwnPostgres;
  let standby: OwnPostgres | undefined;
  let service: TcpProxy;
  let serviceUrl: string;
  let cluster: Cluster;
  let api: ApiNode;
  let acme: TenantFixture;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    primary = await OwnPostgres.start();
    service = await TcpProxy.start(primary.port);
    const direct = new URL(await primary.createDatabase('stepguard_test_pg_outages'));
    direct.port = String(service.port);
    serviceUrl = direct.toString();
    await runMigrations(serviceUrl);
    cluster = await startCluster({
      apiNodes: 1,
      workers: 1,
      database: { url: serviceUrl },
      env: {
        // Every sign-in of the traffic comes from 127.0.0.1.
        LOGIN_MAX_ATTEMPTS_PER_IP: '1000000',
        AUDIT_STREAM_EGRESS_ALLOW: '127.0.0.1',
        // Far beyond any wait here: what delivers an event in time is the commit's notification.
        AUDIT_STREAM_TICK_SECONDS: '300',
        // A delivery the stop cuts short leaves its lease (4 × this + 5 s) to run out: 13 s here.
        AUDIT_STREAM_TIMEOUT_SECONDS: '2',
      },
    });
    api = cluster.nodes[0]!;
    acme = await aTenant(api.http);
    receiver = await startWebhookReceiver();
    const sink = await api.http.post(
      '/v1/admin/audit-streams',
      { name: 'siem', kind: 'webhook', url: receiver.url },
      acme.admin.token,
    );
    expect(sink.status).toBe(201);
    receiver.secrets.push(sink.body.secret);
  }, 120_000);
  // A test that failed half-way must not leave the next one without a server.
  afterEach(async () => {
    if (!primary.running) await primary.start();
  });
  afterAll(async () => {
    await receiver?.stop();
    await cluster?.close();
    await service?.close();
    await Promise.all([primary?.dispose(), standby?.dispose()]);
  });

  const readiness = (status: number) =>
    waitUntil(() => api.http.get('/readyz'), {
      what: `/readyz answering ${status}`,
      until: (res) => res.status === status,
      timeoutMs: BACK_WITHIN_MS,
    });
  const acknowledgedSince = (traffic: WriteTraffic, mark: number, what: string) =>
    waitUntil(() => traffic.tally(mark), {
      what: `five sign-ins and five new users acknowledged ${what}`,
      until: (tally) => (tally['login 200'] ?? 0) >= 5 && (tally['user 201'] ?? 0) >= 5,
      timeoutMs: BACK_WITHIN_MS,
    });
  const expectUnavailable = (res: HttpResult) => {
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 503, code: 'service_unavailable' });
  };

  it("streams the events appended after a restart without waiting for the tick: the worker's listener is back", async () => {
    // First, before any write fails in an outage, and once the last delivery let go of the chain: nothing
    // is pending, so nothing interrupted can bring the event, and no delivery cut by the outage holds the
    // chain (its lease would keep it until it ran out).
    await waitUntil(
      () =>
        cluster.sql(
          `select c.delivered_seq = h.last_seq and c.lease_until is null as idle
             from audit_sink_cursors c join audit_chains h using (chain_key)
            where c.chain_key = $1`,
          [acme.id],
        ),
      {
        what: "the sink's cursor at the head of the chain, and released",
        until: ([cursor]) => cursor?.idle === true,
        timeoutMs: BACK_WITHIN_MS,
      },
    );
    const worker = cluster.workers[0]!;
    const listenFailures = () => worker.lines.filter((line) => LISTEN_FAILED.test(line)).length;
    const before = listenFailures();
    await primary.stop('fast');
    // Down for longer than one attempt to listen again (the listener reports the lost connection once,
    // then each attempt that failed): it must keep trying.
    await waitUntil(listenFailures, {
      what: "the worker's listener failing to reconnect while PostgreSQL is down",
      until: (count) => count >= before + 2,
    });
    await primary.start();
    await readiness(200);

    // Whether the commit comes before the listener is back (the catch-up on its return brings it) or after
    // (its notification does), the event arrives long before the 300 s tick; the second one can only come
    // by notification, the listener being back by then.
    for (const name of ['first', 'second']) {
      const created = await api.http.post(
        '/v1/admin/users',
        { email: `${name}-after-restart@acme.example`, roles: ['member'], password: PASSWORD },
        acme.admin.token,
      );
      expect(created.status).toBe(201);
      await waitUntil(() => receiver.events().map((e) => `${String(e['action'])} ${String(targetId(e))}`), {
        what: `the ${name} new user's UserCreated at the SIEM`,
        until: (received) => received.includes(`UserCreated ${created.body.id}`),
        // A delivery may have been running when PostgreSQL stopped (a wake-up for a checkpoint, say): its
        // lease (13 s) runs out first, and the worker looks again at its end, not at the tick.
        timeoutMs: 30_000,
      });
    }
    expect(worker.lines.some((line) => LISTENING_AGAIN.test(line))).toBe(true);
  }, 180_000);

  it('answers 503 while PostgreSQL is stopped, then serves again from the same processes', async () => {
    const traffic = new WriteTraffic(api.http, acme);
    try {
      await acknowledgedSince(traffic, 0, 'before the stop');
      await primary.stop('fast');

      const down = await readiness(503);
      expectUnavailable(down);
      expect(down.body.detail).toBe('Not ready: database down');
      const outage = traffic.mark();
      await waitUntil(() => traffic.tally(outage), {
        what: 'both kinds of write answered 503 during the outage',
        until: (tally) => tally['login 503'] !== undefined && tally['user 503'] !== undefined,
      });
      // A read through the authentication guard (a prepared statement on the raw pool) says the same.
      const me = await api.http.get('/v1/me', acme.admin.token);
      expectUnavailable(me);
      expect(me.headers.get('retry-after')).toBe('5');

      await primary.start();
      expect((await readiness(200)).body).toEqual({
        status: 'ready',
        checks: { database: 'up', redis: 'up', sockets: 'up' },
      });
      await acknowledgedSince(traffic, traffic.mark(), 'after the start');
    } finally {
      await traffic.stop();
    }

    expectOnlyAcknowledgedOrUnavailable(traffic.outcomes);
    for (const process of [api.process, ...cluster.workers]) expect(process.child.exitCode).toBeNull();
    const login = await api.http.post('/v1/auth/login', {
      tenant: acme.slug,
      email: acme.admin.email,
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
    await expectEveryAcknowledgedWriteStored(traffic);
  }, 180_000);

  it('loses no acknowledged write when PostgreSQL crashes and recovers from its write-ahead log', async () => {
    const [{ started: before }] = await cluster.sql('select pg_postmaster_start_time() as started');
    const traffic = new WriteTraffic(api.http, acme);
    try {
      await acknowledgedSince(traffic, 0, 'before the crash');
      await primary.stop('immediate');
      await primary.start();
      await readiness(200);
      await acknowledgedSince(traffic, traffic.mark(), 'after the recovery');
    } finally {
      await traffic.stop();
    }

    const [{ started: after }] = await cluster.sql('select pg_postmaster_start_time() as started');
    expect(after.getTime()).toBeGreaterThan(before.getTime());
    expectOnlyAcknowledgedOrUnavailable(traffic.outcomes);
    for (const process of [api.process, ...cluster.workers]) expect(process.child.exitCode).toBeNull();
    await expectEveryAcknowledgedWriteStored(traffic);
  }, 180_000);

  it('fails over to its synchronous standby: 503 while no primary answers, then nothing acknowledged lost', async () => {
    standby = await OwnPostgres.standbyOf(primary);
    await primary.requireSynchronousStandby();
    await waitUntil(() => primary.query<{ sync_state: string }>('select sync_state from pg_stat_replication'), {
      what: 'the standby confirming every commit',
      until: (replicas) => replicas.some((r) => r.sync_state === 'sync'),
    });
    const traffic = new WriteTraffic(api.http, acme);
    try {
      await acknowledgedSince(traffic, 0, 'before the failover');
      await primary.stop('immediate'); // its node is lost
      await readiness(503);

      // The Service finds the standby before it is promoted: it serves reads, but it is not ready and
      // refuses writes.
      service.pointTo(standby.port);
      expect((await api.http.get('/v1/me', acme.admin.token)).status).toBe(200);
      const write = await api.http.post(
        '/v1/admin/users',
        { email: 'on-the-standby@acme.example', roles: ['member'], password: PASSWORD },
        acme.admin.token,
      );
      expectUnavailable(write);
      expect((await api.http.get('/readyz')).body.detail).toBe('Not ready: database down');

      await standby.promote();
      [primary, standby] = [standby, primary];
      await readiness(200);
      await acknowledgedSince(traffic, traffic.mark(), 'after the promotion');
    } finally {
      await traffic.stop();
    }

    expect(await primary.query('select pg_is_in_recovery() as standby')).toEqual([{ standby: false }]);
    expectOnlyAcknowledgedOrUnavailable(traffic.outcomes);
    for (const process of [api.process, ...cluster.workers]) expect(process.child.exitCode).toBeNull();
    await expectEveryAcknowledgedWriteStored(traffic);
  }, 180_000);

  it('leaves an intact audit chain behind', async () => {
    const verified = await cli(testConfig(serviceUrl), 'audit', 'verify', '--tenant', acme.slug);
    expect(verified).toMatchObject({ code: 0, err: '' });
    expect(verified.out).toContain(`OK: the audit chain of tenant ${acme.slug} is intact`);
  });

  /** What the api answered: a write acknowledged, or 503 problem+json at once; never a 500, never silence. */
  function expectOnlyAcknowledgedOrUnavailable(outcomes: Outcome[]): void {
    const unexpected = outcomes.filter((o) => !(o.status === 200 || o.status === 201 || o.status === 503));
    expect(unexpected).toEqual([]);
    const badRefusals = outcomes.filter(
      (o) =>
        o.status === 503 &&
        !(
          o.code === 'service_unavailable' &&
          o.retryAfter === '5' &&
          o.contentType?.includes('application/problem+json')
        ),
    );
    expect(badRefusals).toEqual([]);
    // Refusing takes no database round trip that could hang: far less than a sign-in's argon2.
    expect(outcomes.filter((o) => o.status === 503 && o.ms > REFUSED_WITHIN_MS)).toEqual([]);
  }

  /** Every session and user the api acknowledged is stored, each user with its audit entry. */
  async function expectEveryAcknowledgedWriteStored(traffic: WriteTraffic): Promise<void> {
    const sessions = traffic.acknowledged('login');
    const users = traffic.acknowledged('user');
    const storedSessions = await cluster.sql('select id from sessions where id = any($1::uuid[])', [sessions]);
    const storedUsers = await cluster.sql('select id from users where id = any($1::uuid[])', [users]);
    const audited = await cluster.sql(
      `select target_id as id from audit_events where action = 'UserCreated' and target_id = any($1::text[])`,
      [users],
    );
    expect(storedSessions.map((r) => r.id).sort()).toEqual([...sessions].sort());
    expect(storedUsers.map((r) => r.id).sort()).toEqual([...users].sort());
    expect(audited.map((r) => r.id).sort()).toEqual([...users].sort());
  }
});

function targetId(event: Record<string, unknown>): unknown {
  return (event['target'] as { id?: unknown } | null)?.id;
}
