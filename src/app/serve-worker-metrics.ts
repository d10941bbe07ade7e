import type { INestApplicationContext } from '@nestjs/common';
import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { ReadinessProbe } from '../ops/readiness-probe.js';

/**
 * A worker process has no HTTP api, and what its workers count (audit stream deliveries) exists only in its
 * memory: this serves its registry as Prometheus text at `GET /metrics` on a port of its own, with the same
 * probes as the api (`GET /healthz`: the process runs; `GET /readyz`: PostgreSQL and Redis answer) for an
 * orchestrator. Public like the api's (counts, no tenant data); keep the port off the internet.
 */
export async function serveWorkerMetrics(app: INestApplicationContext, host: string, port: number): Promise<Server> {
  const registry = app.get(Registry);
  const readiness = app.get(ReadinessProbe);
  const answer = (res: ServerResponse, status: number, type: string, body: string) =>
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  const json = (res: ServerResponse, status: number, body: unknown) =>
    answer(res, status, 'application/json', JSON.stringify(body));
  const server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (req.method !== 'GET') return json(res, 405, { status: 'method not allowed' });
    if (path === '/healthz') return json(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      readiness.check().then(
        (checks) => {
          const ready = Object.values(checks).every((state) => state === 'up');
          json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
        },
        () => json(res, 503, { status: 'not ready' }),
      );
      return;
    }
    if (path !== '/metrics') {
      return answer(res, 404, 'text/plain', 'not found: the worker serves GET /metrics, /healthz and /readyz\n');
    }
    registry.metrics().then(
      (text) => answer(res, 200, Registry.PROMETHEUS_CONTENT_TYPE, text),
      (error: unknown) => answer(res, 500, 'text/plain', `${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Where the server listens, for the start-up line (port 0 picks a free one). */
export function metricsUrlOf(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`;
}
