import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import { checkAccountOf } from '../../src/cli/cluster-check/check-account.js';
import { runCli } from '../../src/cli/run-cli.js';
import { startCluster, type Cluster } from '../support/cluster.js';
import { freePort } from '../support/free-port.js';
import { runEntryPoint } from '../support/process/child-process.js';
import { OPERATOR_TOKEN } from '../support/test-env.js';

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
