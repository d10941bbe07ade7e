// The client side of bench/socket-disconnect.bench.js, in its own process (off the servers' event loops):
// holds every socket, sends the Disconnect API calls itself, and times each socket from just before its
// user's call to its `disconnect` event, so both ends of a figure are on this process's clock. Each socket
// records what it received, in order; the parent checks that every measured socket got the step-up event
// with the reason sent, then was closed by the server, and that no other socket was touched.
import { Agent, request as httpRequest } from 'node:http';
import { io } from 'socket.io-client';
import { serveCalls } from './socket-rpc.js';

const STEP_UP_REQUIRED_EVENT = 'stepguard:step_up_required';
// node:http with kept-alive connections rather than fetch: a burst of calls from one process costs this
// process far less, so the figures are more the servers' and less the client's.
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: Infinity });

/** Per user, its sockets: { node, socket, events: [{ type, at, detail }], closed: Promise }. */
const users = new Map();

function open({ url, auth }) {
  // forceNew: one connection per socket, as separate browser tabs or devices have, never multiplexed.
  const socket = io(url, { path: '/socket.io', transports: ['websocket'], auth, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

function track(socket, node) {
  const entry = { node, socket, events: [] };
  entry.closed = new Promise((resolve) => {
    socket.on(STEP_UP_REQUIRED_EVENT, (payload) =>
      entry.events.push({ type: 'step_up_required', at: performance.now(), detail: payload?.reason }),
    );
    socket.on('disconnect', (reason) => {
      entry.events.push({ type: 'disconnect', at: performance.now(), detail: reason });
      resolve();
    });
  });
  return entry;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null; // the status tells what went wrong; a problem+json body is kept when there is one
  }
}

/** One request; resolves with the status, the parsed JSON body and when the answer was read. */
function send(url, { method, headers = {}, body, timeoutMs = 30_000 }) {
  return new Promise((resolve, reject) => {
    const { hostname, port, pathname } = new URL(url);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      {
        host: hostname,
        port,
        path: pathname,
        method,
        agent,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          const at = performance.now();
          resolve({ status: res.statusCode, body: parseJson(text), at });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs)} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

async function pool(items, concurrency, work) {
  let next = 0;
  const run = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, run));
}

/** After an answer other than 202, how long the user's sockets may still take to close (a failed call may have kicked them). */
const AFTER_FAILURE_MS = 2000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends the call for each user (all at once, or one after another) and waits for its sockets to close,
 * until `timeoutMs` after the first call; returns what each call was answered and each socket received.
 */
async function disconnect({ userIds, request, concurrent, timeoutMs }) {
  const deadline = performance.now() + timeoutMs;
  const one = async (userId) => {
    const entries = users.get(userId) ?? [];
    if (!entries.length || entries.some((e) => e.events.length))
      throw new Error(`user ${userId}: no sockets, or sockets already touched before the call`);
    const path = request.path.replace(':userId', encodeURIComponent(userId));
    const started = performance.now();
    const res = await send(new URL(path, request.base), {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      timeoutMs: Math.max(1, deadline - started),
    }).catch((error) => ({ status: 'no answer', body: { error: error.message }, at: performance.now() }));
    const wait = res.status === 202 ? deadline - performance.now() : AFTER_FAILURE_MS;
    await Promise.race([Promise.all(entries.map((e) => e.closed)), sleep(Math.max(0, wait))]);
    return {
      userId,
      started,
      status: res.status,
      body: res.body,
      httpMs: res.at - started,
      sockets: entries.map((e) => ({
        node: e.node,
        events: e.events.map((ev) => ({ type: ev.type, detail: ev.detail, ms: ev.at - started })),
      })),
    };
  };
  if (concurrent) return Promise.all(userIds.map(one));
  const results = [];
  for (const userId of userIds) results.push(await one(userId));
  return results;
}

serveCalls({
  /**
   * Opens `count` kept-alive connections to `url` (GETs, all at once), so that a burst measures the
   * servers rather than TCP handshakes and a cold client; returns how many are open and idle.
   */
  async warm({ url, count }) {
    const answers = await Promise.all(Array.from({ length: count }, () => send(url, { method: 'GET' })));
    const bad = answers.filter((a) => a.status !== 200);
    if (bad.length) throw new Error(`${bad.length} warm-up GETs of ${url} answered ${bad[0].status}`);
    return Object.values(agent.freeSockets).reduce((n, sockets) => n + sockets.length, 0);
  },
  /** Opens `sockets` ({ userId, node, url, auth }), `concurrency` handshakes at a time. */
  async connect({ sockets, concurrency }) {
    const started = performance.now();
    const failures = new Map();
    await pool(sockets, concurrency, async ({ userId, node, url, auth }) => {
      try {
        const entry = track(await open({ url, auth }), node);
        users.set(userId, [...(users.get(userId) ?? []), entry]);
      } catch (error) {
        failures.set(error.message, (failures.get(error.message) ?? 0) + 1);
      }
    });
    return { seconds: (performance.now() - started) / 1000, failures: Object.fromEntries(failures) };
  },
  /** The `connect_error` message a handshake with these credentials gets, or null if it connects. */
  async refusal({ url, auth }) {
    try {
      (await open({ url, auth })).close();
      return null;
    } catch (error) {
      return error.message;
    }
  },
  disconnect,
  /** Sockets of users other than `except` still connected and untouched, against how many there are. */
  untouched({ except }) {
    const skip = new Set(except);
    let total = 0;
    let intact = 0;
    for (const [userId, entries] of users) {
      if (skip.has(userId)) continue;
      for (const e of entries) {
        total++;
        if (e.socket.connected && e.events.length === 0) intact++;
      }
    }
    return { total, intact };
  },
  close() {
    for (const entries of users.values()) for (const e of entries) e.socket.close();
    users.clear();
  },
});
