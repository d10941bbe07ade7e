import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { checkAccountOf } from '../../src/cli/cluster-check/check-account.js';
import { inClusterObjects } from '../../src/cli/cluster-check/release-objects.js';
import { componentSelector } from '../../src/cli/cluster-check/release-pods.js';
import { runClusterCheck } from '../../src/cli/cluster-check/run-cluster-check.js';
import { runCli } from '../../src/cli/run-cli.js';
import { startCluster, type Cluster } from '../support/cluster.js';
import { freePort } from '../support/free-port.js';
import { type KubeApiStandIn, startKubeApiStandIn, status } from '../support/kube-api-stand-in.js';
import { runEntryPoint } from '../support/process/child-process.js';
import { OPERATOR_TOKEN } from '../support/test-env.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/kubernetes/${name}`, import.meta.url), 'utf8');
const SKIPPED_JOB = 'skip migration job: api nodes given by --addresses: no Kubernetes API to ask';

/**
 * `stepguard cluster-check`, the chart's helm test, against real api processes (two, on one PostgreSQL and
 * one Redis) given by address: the checks a pod runs on the release's api pods, without the Kubernetes part.
 */
describe('stepguard cluster-check --addresses (2 api processes)', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ apiNodes: 2, workers: 0 });
  }, 120_000);
  afterAll(() => cluster?.close());

  const node = (i: number) => cluster.nodes[i]!.url;
  const checkSlug = checkAccountOf(OPERATOR_TOKEN).slug;

  /** As the helm test pod runs it: a process of its own, NODE_ENV=production and no setting but the operator token. */
  async function clusterCheckProcess(addresses: string[]) {
    const run = runEntryPoint('src/cli/main.ts', { NODE_ENV: 'production', STEPGUARD_OPERATOR_TOKEN: OPERATOR_TOKEN }, [
      'cluster-check',
      '--release',
      'stepguard',
      '--addresses',
      addresses.join(','),
    ]);
    return { code: await run.ended(90_000), lines: run.lines };
  }

  const liveCheckSessions = async () =>
    (
      await cluster.sql(
        `select count(*)::int as n from sessions s join tenants t on t.id = s.tenant_id
         where t.slug = $1 and s.revoked_at is null`,
        [checkSlug],
      )
    )[0].n;

  it('passes: both nodes ready, and a Disconnect asked of B closes the socket the check holds on A', async () => {
    const { code, lines } = await clusterCheckProcess([node(0), node(1)]);
    expect(lines).toEqual([
      SKIPPED_JOB,
      `ok   readyz ${node(0)}: ready (${node(0)})`,
      `ok   readyz ${node(1)}: ready (${node(1)})`,
      `ok   disconnect across pods: a Disconnect asked of ${node(1)} closed the check session's socket on ${node(0)} ` +
        '(1 socket(s) disconnected)',
    ]);
    expect(code).toBe(0);
    // Its own tenant, made on this first run; its two sessions signed out.
    expect(await cluster.sql(`select slug from tenants where slug like 'stepguard-cluster-check-%'`)).toEqual([
      { slug: checkSlug },
    ]);
    expect(await liveCheckSessions()).toBe(0);
  }, 120_000);

  it('fails with exit code 1 when an address does not answer, and still checks the node that does', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const { code, lines } = await clusterCheckProcess([node(0), dead]);
    expect(lines).toEqual([
      SKIPPED_JOB,
      `ok   readyz ${node(0)}: ready (${node(0)})`,
      `FAIL readyz ${dead}: GET /readyz on ${dead}: unreachable (ECONNREFUSED)`,
      `ok   disconnect across pods: a Disconnect asked of ${node(0)} closed the check session's socket on ${node(0)} ` +
        '(1 socket(s) disconnected; one api pod only, so not across pods)',
    ]);
    expect(code).toBe(1);
    // The same tenant again: runs do not add tenants.
    expect(
      await cluster.sql(`select count(*)::int as n from tenants where slug like 'stepguard-cluster-check-%'`),
    ).toEqual([{ n: 1 }]);
  }, 120_000);

  it('fails, and does not hang, on a node that takes the connection and never answers', async () => {
    const silent = await silentServer();
    try {
      const run = await clusterCheck(
        { STEPGUARD_OPERATOR_TOKEN: OPERATOR_TOKEN },
        '--release',
        'stepguard',
        '--timeout-seconds',
        '1',
        '--addresses',
        `${node(0)},${silent.url}`,
      );
      expect(run.out).toContain(`FAIL readyz ${silent.url}: GET /readyz on ${silent.url}: no answer within 1 s`);
      expect(run.code).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it('fails the Disconnect check, naming the setting, with an operator token the api nodes do not have', async () => {
    const wrong = `${OPERATOR_TOKEN}-not-theirs`;
    const run = await clusterCheck(
      { STEPGUARD_OPERATOR_TOKEN: wrong },
      '--release',
      'stepguard',
      '--addresses',
      node(0),
    );
    expect(run.out.at(-1)).toBe(
      `FAIL disconnect across pods: making the check tenant ${checkAccountOf(wrong).slug}: 401 unauthorized: ` +
        'A valid bearer token is required (is STEPGUARD_OPERATOR_TOKEN the one the api nodes have?)',
    );
    expect(run.code).toBe(1);
    const without = await clusterCheck({}, '--release', 'stepguard', '--addresses', node(0));
    expect(without.out.at(-1)).toBe(
      'FAIL disconnect across pods: STEPGUARD_OPERATOR_TOKEN is not set: the check makes and signs in to its tenant with it',
    );
    expect(without.code).toBe(1);
  });

  describe("in a pod: client-node's in-cluster config, the kube-apiserver stood in for", () => {
    let api: KubeApiStandIn;
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    beforeAll(async () => {
      api = await startKubeApiStandIn('stepguard');
      process.env.KUBERNETES_SERVICE_HOST = api.host;
      process.env.KUBERNETES_SERVICE_PORT = api.port;
    });
    afterAll(async () => {
      for (const [name, value] of [
        ['KUBERNETES_SERVICE_HOST', saved.host],
        ['KUBERNETES_SERVICE_PORT', saved.port],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await api?.close();
    });

    const inPod = async (timeoutMs: number) => {
      const lines: string[] = [];
      const ok = await runClusterCheck({
        release: 'stepguard',
        kubernetes: () => inClusterObjects(timeoutMs, api.mountRoot),
        operatorToken: OPERATOR_TOKEN,
        timeoutMs,
        out: (line) => lines.push(line),
      });
      return { ok, lines };
    };

    /** The fixture's PodList with its two Ready pods at the two api processes (pod IP 127.0.0.1, their ports as `http`). */
    function podsAtTheNodes() {
      const list = JSON.parse(fixture('api-pods.json'));
      const at: Record<string, string> = {
        'stepguard-api-5f7c9d8b64-x2kqp': node(0),
        'stepguard-api-5f7c9d8b64-b7tsd': node(1),
      };
      for (const pod of list.items) {
        const url = at[pod.metadata.name];
        if (!url) continue;
        pod.status.podIP = '127.0.0.1';
        pod.status.podIPs = [{ ip: '127.0.0.1' }];
        pod.spec.containers[0].ports[0].containerPort = Number(new URL(url).port);
      }
      return list;
    }

    it("lists the release's api pods and Job by label, checks the Ready pods and reports every other one", async () => {
      api.answer('pods', { status: 200, body: podsAtTheNodes() });
      api.answer('jobs', { status: 200, body: JSON.parse(fixture('migration-jobs.json')) });
      const { ok, lines } = await inPod(10_000);
      const [x2kqp, b7tsd] = ['stepguard-api-5f7c9d8b64-x2kqp', 'stepguard-api-5f7c9d8b64-b7tsd'];
      expect(lines).toEqual([
        `ok   api pods: 2 Ready of 4 in stepguard (${componentSelector('stepguard', 'api')})`,
        expect.stringMatching(
          /^FAIL api pod stepguard-api-5f7c9d8b64-9wnrv: not Ready \(phase Pending; PodScheduled Unschedulable: 0\/3 nodes/,
        ),
        'FAIL api pod stepguard-api-5f7c9d8b64-hm4tz: not Ready (phase Running; ContainersNotReady: containers with unready status: [api])',
        'FAIL migration job: stepguard-migrate-2 failed (BackoffLimitExceeded: Job has reached the specified backoff limit)',
        `ok   readyz ${b7tsd}: ready (${node(1)})`,
        `ok   readyz ${x2kqp}: ready (${node(0)})`,
        `ok   disconnect across pods: a Disconnect asked of ${x2kqp} closed the check session's socket on ${b7tsd} ` +
          '(1 socket(s) disconnected)',
      ]);
      expect(ok).toBe(false);
      expect(api.requests.slice(-2)).toEqual([
        { resource: 'pods', labelSelector: componentSelector('stepguard', 'api') },
        { resource: 'jobs', labelSelector: componentSelector('stepguard', 'migrate') },
      ]);
    }, 60_000);

    it('says what the service account lacks on a 403, and fails rather than hang when the API does not answer', async () => {
      const forbidden =
        'pods is forbidden: User "system:serviceaccount:stepguard:stepguard-test" cannot list resource "pods" ' +
        'in API group "" in the namespace "stepguard"';
      api.answer('pods', { status: 403, body: status(403, 'Forbidden', forbidden) });
      api.answer('jobs', 'silence');
      const { ok, lines } = await inPod(1_000);
      expect(lines).toEqual([
        `FAIL api pods: listing pods: the Kubernetes API answered 403: ${forbidden} ` +
          "(the test's ServiceAccount needs get and list on pods in its namespace)",
        'FAIL migration job: listing jobs: the Kubernetes API did not answer within 1 s',
        'FAIL disconnect across pods: no ready api pod to hold a socket',
      ]);
      expect(ok).toBe(false);
    });

    it('fails on a service-account token the API does not take', async () => {
      await writeFile(join(api.mountRoot, 'var/run/secrets/kubernetes.io/serviceaccount/token'), 'expired');
      api.answer('jobs', { status: 200, body: JSON.parse(fixture('migration-jobs.json')) });
      const { lines } = await inPod(5_000);
      expect(lines.slice(0, 2)).toEqual([
        "FAIL api pods: listing pods: the Kubernetes API answered 401: Unauthorized (is the pod's service-account token mounted and current?)",
        "FAIL migration job: listing jobs: the Kubernetes API answered 401: Unauthorized (is the pod's service-account token mounted and current?)",
      ]);
    });
  });

  it('refuses a command line it cannot run, before checking anything (exit code 2)', async () => {
    for (const args of [
      ['--addresses', node(0)],
      ['--release', 'Not_A_Release', '--addresses', node(0)],
      ['--release', 'stepguard', '--addresses', 'ftp://127.0.0.1:21'],
      ['--release', 'stepguard', '--timeout-seconds', '0'],
    ]) {
      const run = await clusterCheck({ STEPGUARD_OPERATOR_TOKEN: OPERATOR_TOKEN }, ...args);
      expect({ args, code: run.code, out: run.out }).toEqual({ args, code: 2, out: [] });
    }
  });
});

/** In this process, with the environment given (the configuration of the runtime is never resolved). */
async function clusterCheck(env: NodeJS.ProcessEnv, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['cluster-check', ...args], {
    config: () => Promise.reject(new Error('a standalone command resolved the runtime')),
    env,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out, err: err.join('\n') };
}

describe('stepguard cluster-check --addresses, api nodes that do not share the socket.io adapter', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    // B on a Redis prefix of its own: its adapter hears nothing of A's, as with pods on different Redis.
    cluster = await startCluster({
      apiNodes: 2,
      workers: 0,
      nodeEnv: (i, env): Record<string, string> =>
        i === 1 ? { REDIS_KEY_PREFIX: `${env.REDIS_KEY_PREFIX}:apart` } : {},
    });
  }, 120_000);
  afterAll(() => cluster?.close());

  it('fails the Disconnect check: the socket held on A stays open after B was asked', async () => {
    const [a, b] = cluster.nodes.map((n) => n.url);
    const run = await clusterCheck(
      { STEPGUARD_OPERATOR_TOKEN: OPERATOR_TOKEN },
      '--release',
      'stepguard',
      '--timeout-seconds',
      '3',
      '--addresses',
      `${a},${b}`,
    );
    expect(run.out).toEqual([
      SKIPPED_JOB,
      `ok   readyz ${a}: ready (${a})`,
      `ok   readyz ${b}: ready (${b})`,
      `FAIL disconnect across pods: the socket on ${a} was still open 3 s after the Disconnect on ${b} ` +
        '(does the Redis adapter reach every pod?)',
    ]);
    expect(run.code).toBe(1);
  });
});

/** A TCP server that accepts connections and never writes a byte: a node hung mid-request. */
function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
