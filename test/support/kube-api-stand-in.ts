import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loopbackServerCertificate } from './test-certificates.js';

export type KubeAnswer = { status: number; body: unknown } | 'silence';

export interface KubeApiStandIn {
  /** Where the pod's service-account files are mounted (token, ca.crt, namespace): client-node's `pathPrefix`. */
  mountRoot: string;
  /** What KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT say in a pod. */
  host: string;
  port: string;
  /** The list requests received, in order, with their label selector. */
  requests: { resource: string; labelSelector: string | null }[];
  /** What list requests of `resource` are answered from now on: a document, a Status with its code, or nothing. */
  answer(resource: 'pods' | 'jobs', answer: KubeAnswer): void;
  close(): Promise<void>;
}

/**
 * A stand-in for the one thing here without a real counterpart: the kube-apiserver's two list endpoints
 * the cluster check reads (`/api/v1/namespaces/<ns>/pods`, `/apis/batch/v1/namespaces/<ns>/jobs`), over
 * HTTPS with a private CA, refusing any bearer token but the mounted one (401 Status) as the API does.
 * The answers are the documents a test gives (realistic API answers, test/fixtures/kubernetes).
 */
export async function startKubeApiStandIn(namespace: string): Promise<KubeApiStandIn> {
  const { ca, cert, key } = loopbackServerCertificate();
  const token = randomBytes(24).toString('base64url');
  const mountRoot = await mkdtemp(join(tmpdir(), 'stepguard-sa-'));
  const accountDir = join(mountRoot, 'var/run/secrets/kubernetes.io/serviceaccount');
  await mkdir(accountDir, { recursive: true });
  await Promise.all([
    writeFile(join(accountDir, 'token'), token),
    writeFile(join(accountDir, 'ca.crt'), ca),
    writeFile(join(accountDir, 'namespace'), namespace),
  ]);
  const answers = new Map<string, KubeAnswer>();
  const requests: KubeApiStandIn['requests'] = [];
  const paths: Record<string, 'pods' | 'jobs'> = {
    [`/api/v1/namespaces/${namespace}/pods`]: 'pods',
    [`/apis/batch/v1/namespaces/${namespace}/jobs`]: 'jobs',
  };
  const sockets = new Set<Socket>();
  const server: Server = createServer({ cert, key }, (req, res) => {
    const url = new URL(req.url!, 'https://stand-in');
    const resource = paths[url.pathname];
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${token}`) return reply(401, status(401, 'Unauthorized', 'Unauthorized'));
    if (req.method !== 'GET' || !resource) return reply(404, status(404, 'NotFound', 'the server could not find it'));
    requests.push({ resource, labelSelector: url.searchParams.get('labelSelector') });
    const answer = answers.get(resource) ?? { status: 200, body: { kind: 'List', apiVersion: 'v1', items: [] } };
    if (answer !== 'silence') reply(answer.status, answer.body);
  });
  server.on('secureConnection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    mountRoot,
    host: '127.0.0.1',
    port: String((server.address() as { port: number }).port),
    requests,
    answer: (resource, answer) => answers.set(resource, answer),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(mountRoot, { recursive: true, force: true });
    },
  };
}

/** The Status object the API answers a refusal with. */
export function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}
