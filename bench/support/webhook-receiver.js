// The webhook receiver of bench/audit-stream.bench.js, in its own process: an HTTPS server on loopback (a
// throw-away CA's certificate) that verifies every request with the `standardwebhooks` reference
// implementation, as a SIEM's endpoint would, answers 200, and notes when each request's body had fully
// arrived and which events it carried (native JSON: tenant and seq of each `audit_event`). The parent takes
// those notes with `take`; it can stop the server (connections cut, the port refused) and start it again on
// the same port: an outage.
import { createServer } from 'node:https';
import { Webhook } from 'standardwebhooks';
import { serveCalls } from './socket-rpc.js';

let server;
let options;
let port = 0;
const sockets = new Set();
const verifiers = [];
let requests = [];
let problems = [];

/** Wall-clock milliseconds with the monotonic clock's fraction (the parent's commit times use the same). */
const wallMs = () => performance.timeOrigin + performance.now();

function handle(req, res) {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const at = wallMs();
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = {
      'webhook-id': String(req.headers['webhook-id'] ?? ''),
      'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
      'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
    };
    let payload;
    for (const verifier of verifiers) {
      try {
        payload = verifier.verify(body, headers);
        break;
      } catch {
        // the next secret
      }
    }
    if (payload === undefined) {
      problems.push(`request ${headers['webhook-id']} did not verify with any known secret`);
      res.writeHead(401).end();
      return;
    }
    const items = Array.isArray(payload) ? payload : [payload];
    const events = items.filter((item) => item.type === 'audit_event');
    requests.push({
      at,
      webhookId: headers['webhook-id'],
      tenant: events[0]?.tenantId ?? null,
      seqs: events.map((e) => e.seq),
      checkpoints: items.length - events.length,
      bytes: body.length,
    });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
}

function listen() {
  return new Promise((resolve, reject) => {
    server = createServer({ cert: options.cert, key: options.key, keepAliveTimeout: 60_000 }, handle);
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      port = server.address().port;
      resolve({ port });
    });
  });
}

serveCalls({
  /** `{ cert, key }` in PEM; returns `{ port }`. */
  async listen(args) {
    options = args;
    return listen();
  },
  addSecret({ secret }) {
    verifiers.push(new Webhook(secret));
  },
  /** Down: every open connection is cut and the port refuses new ones until `start`. */
  async stop() {
    const closing = server;
    server = undefined;
    if (!closing) return;
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => closing.close(resolve));
  },
  start: () => listen(),
  /** The requests and problems noted since the last `take`. */
  take() {
    const taken = { requests, problems };
    requests = [];
    problems = [];
    return taken;
  },
  cpu: () => process.cpuUsage(),
  async close() {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  },
});
