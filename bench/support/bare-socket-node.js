// The baseline server of bench/socket-disconnect.bench.js, in its own process: a plain http server with
// socket.io and the Redis adapter, and nothing else. No database: the handshake trusts `auth.userId`
// and joins the socket to room `u:<userId>`; `POST /disconnect/<userId>` {reason} sends the same event
// Stepguard sends, closes the user's sockets on every node through the adapter, and answers 202 at once.
// Two of these share one adapter key, as two Stepguard nodes share their REDIS_KEY_PREFIX.
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { serveCalls, settledHeap } from './socket-rpc.js';

const STEP_UP_REQUIRED_EVENT = 'stepguard:step_up_required';
const room = (userId) => `u:${userId}`;

let io;
let server;
let redis = [];

async function readJson(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return JSON.parse(body || '{}');
}

async function handle(req, res) {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  const match = req.method === 'POST' && /^\/disconnect\/([^/?]+)$/.exec(req.url ?? '');
  if (!match) {
    res.writeHead(404).end();
    return;
  }
  const { reason } = await readJson(req);
  const userId = decodeURIComponent(match[1]);
  io.in(room(userId)).emit(STEP_UP_REQUIRED_EVENT, { reason });
  io.in(room(userId)).disconnectSockets(true);
  res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
}

serveCalls({
  async listen({ redisUrl, key, backlog }) {
    const pub = new Redis(redisUrl);
    const sub = pub.duplicate();
    redis = [pub, sub];
    server = createServer((req, res) => void handle(req, res).catch(() => res.writeHead(400).end()));
    io = new Server(server, { path: '/socket.io', serveClient: false, adapter: createAdapter(pub, sub, { key }) });
    io.use((socket, next) => {
      const { userId } = socket.handshake.auth ?? {};
      if (typeof userId !== 'string' || !userId) return next(new Error('unauthorized'));
      socket.data.userId = userId;
      next();
    });
    io.on('connection', (socket) => void socket.join(room(socket.data.userId)));
    await new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog }, resolve));
    return { port: server.address().port };
  },
  heap: () => settledHeap(),
  sockets: () => io.of('/').sockets.size,
  async close() {
    await new Promise((resolve) => (io ? io.close(() => resolve()) : resolve()));
    for (const client of redis) client.disconnect();
  },
});
