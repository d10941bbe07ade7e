import type { INestApplicationContext } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';

/**
 * A worker process has no HTTP api, and what its workers count (audit stream deliveries) exists only in its
 * memory: this serves its registry as Prometheus text at `GET /metrics` on a port of its own. Public like
 * the api's `/metrics` (counts, no tenant data); keep the port off the internet.
 */
export async function serveWorkerMetrics(app: INestApplicationContext, host: string, port: number): Promise<Server> {
  const registry = app.get(Registry);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the worker serves GET /metrics only\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
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
