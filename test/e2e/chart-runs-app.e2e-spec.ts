import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubernetesObject, V1Probe } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { containerEnvironment } from '../support/chart/container-environment.js';
import { probeOnce, probeUntilSuccess, type ProbeOutcome } from '../support/chart/kubelet-probe.js';
import { entryPointOf, type LocalPod, startLocalPod } from '../support/chart/local-pod.js';
import { objectsPresentWhenStarting } from '../support/chart/objects-present.js';
import { podOf, renderChart, theObject } from '../support/chart/render-chart.js';
import { freePort } from '../support/free-port.js';
import { HttpClient } from '../support/http.js';
import { runEntryPoint } from '../support/process/child-process.js';
import { deleteRedisKeys } from '../support/redis.js';
import { createRoleSeparatedDatabase, type RoleSeparatedDatabase } from '../support/role-separated-database.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { nextDisconnect, SocketPool } from '../support/sockets.js';
import { TEST_REDIS_URL } from '../support/test-env.js';

/**
 * The chart's wiring against the real application, without a cluster. The real helm renders charts/stepguard
 * with a values file of secrets made for this run, pointing at the local PostgreSQL (an empty database with the
 * owner and application roles of docker/postgres/roles.sql: the Job migrates as the owner, the pods run as the
 * role that owns nothing), the local Redis (a key prefix of its own) and an SMTP server in this process. Each
 * container then runs as a local process (test/support/chart/local-pod.ts maps the image's `node dist/<path>.js`
 * to the source `<path>.ts`) with exactly the environment its manifest gives it, references resolved from the
 * rendered ConfigMaps and Secrets that exist when its pod starts (the Job: the hook-time copies only), in the
 * order Kubernetes runs them: the migration Job to completion, then the api and worker Deployments, then the
 * `helm test` pod. The only change: two api replicas on one host cannot share a port, so the second one's PORT
 * (and its `http` port with it) is moved to a free port; the first runs as rendered.
 */
describe('the chart runs the app (helm template → local processes in Kubernetes order)', () => {
  const release = { name: 'chart-run', namespace: 'stepguard' };
  const redisPrefix = `sgtest-${randomBytes(4).toString('hex')}`;
  const sockets = new SocketPool();
  const pods: LocalPod[] = [];
  let db: RoleSeparatedDatabase;
  let smtp: TestSmtp;
  let objects: KubernetesObject[];
  let api: { a: LocalPod; b: LocalPod };
  let http: { a: HttpClient; b: HttpClient };
  let admin: { slug: string; token: string };
  /** The steps that succeeded: as helm stops at a failed hook, a step whose predecessor failed does not run. */
  const done = new Set<'migrated' | 'running' | 'signed in'>();
  const after = (step: 'migrated' | 'running' | 'signed in') => {
    if (!done.has(step)) throw new Error(`not run: the step "${step}" did not succeed`);
  };

  beforeAll(async () => {
    db = await createRoleSeparatedDatabase();
    smtp = await startSmtp();
    objects = await renderChart(release, {
      api: { port: await freePort() },
      worker: { metricsPort: await freePort() },
      redis: { keyPrefix: redisPrefix },
      database: { separateMigrationRole: true },
      secrets: {
        inline: {
          databaseUrl: db.appUrl,
          migrationDatabaseUrl: db.ownerUrl,
          redisUrl: TEST_REDIS_URL,
          smtpUrl: smtp.url,
          encryptionKeys: `k1:${randomBytes(32).toString('base64')}`,
          auditSigningKey: `a1:${randomBytes(32).toString('base64')}`,
          operatorToken: randomBytes(32).toString('hex'),
        },
      },
    });
  }, 60_000);

  afterAll(async () => {
    sockets.closeAll();
    await Promise.all(pods.map((pod) => pod.stop()));
    await smtp?.close();
    await db?.drop();
    await deleteRedisKeys(redisPrefix);
  }, 60_000);

  /** A workload's container started as a pod of this host, with the environment its manifest gives it. */
  function start(kind: string, component: string, name: string, port?: number): LocalPod {
    const owner = theObject(objects, kind, component);
    const { spec, container } = podOf(owner);
    const pod = startLocalPod(
      name,
      spec,
      container,
      containerEnvironment(container, objectsPresentWhenStarting(objects, owner)),
      port,
    );
    pods.push(pod);
    return pod;
  }

  /** The kubelet's view of a started container: the startup probe until it passes, then Ready, then alive. */
  async function kubeletProbes(pod: LocalPod): Promise<Record<string, ProbeOutcome>> {
    const probe = (which: 'startupProbe' | 'readinessProbe' | 'livenessProbe'): V1Probe => {
      const declared = pod.container[which];
      if (!declared) throw new Error(`${pod.name}: the manifest declares no ${which}`);
      return declared;
    };
    return {
      startup: await probeUntilSuccess(probe('startupProbe'), pod, `${pod.name}'s startup probe`, pod.running),
      // Until it is Ready the Service sends it nothing; it must become Ready within periodSeconds × failureThreshold.
      readiness: await probeUntilSuccess(probe('readinessProbe'), pod, `${pod.name}'s readiness probe`, pod.running),
      liveness: await probeOnce(probe('livenessProbe'), pod),
    };
  }

  it('runs the migration Job first, to completion, migrating the empty database as the owner role', async () => {
    const job = start('Job', 'migrate', 'migrate');
    expect(job.env.DATABASE_URL).toBe(db.ownerUrl);
    expect(await job.process.ended(120_000)).toBe(0);
    expect(job.process.lines).toContainEqual(expect.stringMatching(/^applied /));
    expect(await db.sql(`select distinct tableowner from pg_tables where schemaname = 'public'`)).toEqual([
      { tableowner: db.owner },
    ]);
    done.add('migrated');
  }, 150_000);

  it('then starts two api pods and a worker, each passing the probes its manifest declares', async () => {
    after('migrated');
    api = { a: start('Deployment', 'api', 'api-a'), b: start('Deployment', 'api', 'api-b', await freePort()) };
    const worker = start('Deployment', 'worker', 'worker');
    for (const pod of [api.a, api.b, worker]) expect(pod.env.DATABASE_URL).toBe(db.appUrl);

    const probed = await Promise.all([api.a, api.b, worker].map(kubeletProbes));
    const http200 = (port: number, path: string) => ({ action: `GET :${port}${path}`, ok: true, answer: '200' });
    const [a, b, metrics] = [api.a.ports.http!, api.b.ports.http!, worker.ports.metrics!];
    expect(probed).toEqual([
      { startup: http200(a, '/healthz'), readiness: http200(a, '/readyz'), liveness: http200(a, '/healthz') },
      { startup: http200(b, '/healthz'), readiness: http200(b, '/readyz'), liveness: http200(b, '/healthz') },
      {
        startup: http200(metrics, '/healthz'),
        readiness: http200(metrics, '/readyz'),
        liveness: http200(metrics, '/healthz'),
      },
    ]);
    http = { a: new HttpClient(`http://127.0.0.1:${a}`), b: new HttpClient(`http://127.0.0.1:${b}`) };
    done.add('running');
  }, 300_000);

  it('signs in through the api: a tenant made on pod A with the operator token the pods were given, its admin signed in on pod B', async () => {
    after('running');
    const slug = `chart-run-${randomBytes(3).toString('hex')}`;
    const email = `admin@${slug}.example`;
    const password = randomBytes(18).toString('base64url');
    const created = await http.a.post(
      '/v1/tenants',
      { slug, name: 'Chart run', admin: { email, password } },
      api.a.env.STEPGUARD_OPERATOR_TOKEN,
    );
    expect(created.status).toBe(201);
    const login = await http.b.post('/v1/auth/login', { tenant: slug, email, password });
    expect(login.status).toBe(200);
    expect(login.body.status).toBe('authenticated');
    admin = { slug, token: login.body.token };
    done.add('signed in');
  });

  it("closes a user's socket on pod A when pod B is asked to Disconnect them, and the worker e-mails them", async () => {
    after('signed in');
    const email = `member-${randomBytes(3).toString('hex')}@${admin.slug}.example`;
    const password = randomBytes(18).toString('base64url');
    const user = await http.b.post('/v1/admin/users', { email, roles: ['member'], password }, admin.token);
    expect(user.status).toBe(201);
    const login = await http.a.post('/v1/auth/login', { tenant: admin.slug, email, password });
    expect(login.status).toBe(200);
    const closed = nextDisconnect(await sockets.connect(http.a.baseUrl, login.body.token));

    const disconnect = await http.b.post(
      `/v1/admin/users/${user.body.id}/disconnect`,
      { reason: 'chart run' },
      admin.token,
    );
    expect(disconnect.status).toBe(202);
    expect(disconnect.body).toEqual({ sessionsAffected: 1, socketsDisconnected: 1, allNodesReached: true });
    expect(await closed).toEqual({
      event: 'stepguard:step_up_required',
      payload: { reason: 'chart run' },
      reason: 'io server disconnect',
    });
    // The api pods run no queues (STEPGUARD_WORKERS_IN_PROCESS=false): only the worker sends this mail.
    const notice = await smtp.nth(email, 1, 30_000, /please confirm it is you/);
    expect(notice.text).toContain('(reason given: chart run)');
  }, 60_000);

  it("finally runs the helm test pod's command, cluster-check, with its manifest's environment: exit 0", async () => {
    after('running');
    const testPod = theObject(objects, 'Pod', 'cluster-check');
    expect(testPod.metadata?.annotations?.['helm.sh/hook']).toBe('test');
    const { container } = podOf(testPod);
    const env = containerEnvironment(container, objectsPresentWhenStarting(objects, testPod));
    // Least privilege: of every secret and setting, the check gets the operator token alone.
    expect(Object.keys(env)).toEqual(['STEPGUARD_OPERATOR_TOKEN']);

    // In a cluster it finds the api pods by label through the Kubernetes API, which does not exist here: the
    // two pods' addresses are appended instead (which also skips its check of the migration Job).
    const [a, b] = [http.a.baseUrl, http.b.baseUrl];
    const { entry, args } = entryPointOf(container);
    expect(args).toEqual(['cluster-check', '--release', release.name]);
    const check = runEntryPoint(entry, env, [...args, '--addresses', `${a},${b}`]);
    const code = await check.ended(90_000);
    expect(check.lines).toEqual([
      'skip migration job: api nodes given by --addresses: no Kubernetes API to ask',
      `ok   readyz ${a}: ready (${a})`,
      `ok   readyz ${b}: ready (${b})`,
      `ok   disconnect across pods: a Disconnect asked of ${b} closed the check session's socket on ${a} ` +
        '(1 socket(s) disconnected)',
    ]);
    expect(code).toBe(0);
  }, 120_000);

  it('stops the pods as the kubelet does: each exits 0 on SIGTERM within its terminationGracePeriodSeconds', async () => {
    after('running');
    sockets.closeAll();
    const running = pods.filter((pod) => pod.name !== 'migrate');
    await Promise.all(running.map((pod) => pod.stop()));
    expect(running.map((pod) => `${pod.name}: ${pod.process.child.exitCode ?? pod.process.child.signalCode}`)).toEqual([
      'api-a: 0',
      'api-b: 0',
      'worker: 0',
    ]);
  }, 120_000);
});
