// How long from a Disconnect API call to the socket's `disconnect` event, and how much heap does a live
// socket hold, next to a bare socket.io + Redis adapter server doing the same disconnect?
//
//   npm run bench:disconnect  (= npm run -s build && node bench/socket-disconnect.bench.js)
//   npm exec -- node bench/socket-disconnect.bench.js [--users 5000] [--single 300] [--burst 1000] [--warmup 20]
//                                                     [--concurrency 100] [--timeout 60] [--sides bare,stepguard]
//                                                     [--pool-max N] [--log-level silent]
//
// Each side runs two server nodes in their own processes (bench/support/bare-socket-node.js and
// stepguard-socket-node.js, --expose-gc) that find each other through the socket.io Redis adapter, and one
// client process (bench/support/socket-fleet.js) holding --users × 2 sockets: every user has one socket on
// node A and one on node B, and the API is called on node A, so each call closes a local socket and one
// that only Redis reaches. Stepguard: the built app (dist/) on a fresh database `stepguard_bench_test_<pid>`
// under a throw-away Redis prefix; a tenant and an API key with `sessions:disconnect` are made through the
// API, the users and one session per socket are inserted by SQL (a login would cost an argon2id hash
// each), and every socket passes the real handshake (session, user and policy read from PostgreSQL).
// Bare: a plain http server, no database, the handshake trusts `auth.userId`; `POST /disconnect/<userId>`
// emits `stepguard:step_up_required` to the user's room and disconnects it on every node, answering 202.
//
// Per side: --warmup users are connected and disconnected first (JIT, pools, and proof that the cross-node
// path works); each node's heap is then taken after gc, the measured sockets connect, and it is taken
// again (heap per socket = growth / sockets on that node). Then --single users are disconnected one after
// another and --burst users with that many calls at once, over as many kept-alive connections opened just
// before (TCP handshakes are not what is measured); each socket's figure runs from just before its
// user's call (sent by the client process) to its `disconnect` event, on one clock. Every call must be
// answered 202 (Stepguard: 2 sessions and 2 sockets, all nodes reached), every socket must receive the
// step-up event with the reason sent and then be closed by the server, and every other socket must still
// be connected and untouched; otherwise the figures are printed and the run fails. Timings are printed,
// never asserted. --pool-max sets the nodes' DATABASE_POOL_MAX, to see what the pool costs.
// Everything runs on this machine: PostgreSQL, Redis, the servers and the clients share its cores.
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { hashToken, newOpaqueToken } from '../dist/src/common/crypto/tokens.js';
import { SESSION_TOKEN_PREFIX } from '../dist/src/sessions/sessions.service.js';
import { createBenchDatabase, deleteRedisKeys, REDIS_URL } from './support/bench-database.js';
import { forkChild } from './support/socket-rpc.js';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '5000' },
    single: { type: 'string', default: '300' },
    burst: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '100' },
    timeout: { type: 'string', default: '60' },
    sides: { type: 'string', default: 'bare,stepguard' },
    'pool-max': { type: 'string' },
    'log-level': { type: 'string', default: 'silent' },
  },
});
const USERS = Number(args.users);
const SINGLE = Number(args.single);
const BURST = Number(args.burst);
const WARMUP = Number(args.warmup);
const CONCURRENCY = Number(args.concurrency);
const TIMEOUT_MS = Number(args.timeout) * 1000;
const SIDES = args.sides.split(',');
/** DATABASE_POOL_MAX of the Stepguard nodes; unset, the app's default. */
const POOL_MAX = args['pool-max'] === undefined ? undefined : Number(args['pool-max']);
if (POOL_MAX !== undefined && !(Number.isInteger(POOL_MAX) && POOL_MAX >= 1 && POOL_MAX <= 200))
  throw new Error('--pool-max takes 1 to 200, as DATABASE_POOL_MAX does');
if (SINGLE + BURST > USERS) throw new Error('--single + --burst exceed --users');
if (!SIDES.every((s) => s === 'bare' || s === 'stepguard')) throw new Error('--sides takes bare and/or stepguard');

const OPERATOR_TOKEN = randomBytes(32).toString('base64url');
const CPUS = availableParallelism();
/** The accept queue of both servers: the burst's 1,000 connections, opened at once, must not overflow the default 511. */
const BACKLOG = 4096;
const NODES = ['A', 'B'];
const TARGETS = { p99: 3, heap: 1.5 };
const KB = 1024;

// ---- the machine ----------------------------------------------------------------------------------------

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function openFileLimit() {
  const out = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim();
  return out === 'unlimited' ? Infinity : Number(out);
}

/** TcpExt ListenOverflows: connections the kernel dropped because an accept queue was full (null if unreadable). */
function listenOverflows() {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('TcpExt:'));
    const names = lines[0].split(/\s+/);
    return Number(lines[1].split(/\s+/)[names.indexOf('ListenOverflows')]);
  } catch {
    return null;
  }
}

const version = (pkg) =>
  JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), 'utf8')).version;

// ---- Stepguard arrangements -----------------------------------------------------------------------------

async function call(baseUrl, path, { body, token }) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(new URL(path, baseUrl), { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

async function expectStatus(promise, status, what) {
  const res = await promise;
  if (res.status !== status)
    throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A tenant made through the API, and an API key of its admin's with the Disconnect API's scope. */
async function arrangeTenant(baseUrl) {
  const admin = { email: 'admin@bench.example', password: randomUUID() };
  const { tenant } = await expectStatus(
    call(baseUrl, '/v1/tenants', { token: OPERATOR_TOKEN, body: { slug: 'bench', name: 'Bench', admin } }),
    201,
    'create tenant',
  );
  const { token } = await expectStatus(
    call(baseUrl, '/v1/auth/login', { body: { tenant: 'bench', ...admin } }),
    200,
    'admin login',
  );
  const { key } = await expectStatus(
    call(baseUrl, '/v1/admin/api-keys', { token, body: { name: 'siem', scopes: ['sessions:disconnect'] } }),
    201,
    'create API key',
  );
  return { tenantId: tenant.id, apiKey: key };
}

/** `count` members, each with two live password sessions (one per node); returns their ids and tokens. */
async function seedUsers(db, tenantId, count) {
  const users = Array.from({ length: count }, () => ({
    userId: randomUUID(),
    tokens: NODES.map(() => newOpaqueToken(SESSION_TOKEN_PREFIX)),
  }));
  const now = new Date();
  const sessions = users.flatMap((u) => u.tokens.map((t) => [u.userId, hashToken(t)]));
  await db.query('begin');
  await db.query(
    `insert into users (id, tenant_id, email, password_hash, roles, created_at, updated_at)
     select id, $1, 'socket-' || id || '@bench.example', null, array['member'], $2, $2 from unnest($3::uuid[]) as t(id)`,
    [tenantId, now, users.map((u) => u.userId)],
  );
  // Active just now, so no handshake of the run needs to refresh last_active_at; a day to live.
  await db.query(
    `insert into sessions (id, tenant_id, user_id, token_hash, amr, device_type, user_agent, ip, created_at,
                           last_active_at, authenticated_at, expires_at, idle_timeout_seconds)
     select gen_random_uuid(), $1, user_id, token_hash, array['pwd'], 'desktop', 'stepguard-bench', '127.0.0.1',
            $2, $2, $2, $3, 86400
     from unnest($4::uuid[], $5::text[]) as t(user_id, token_hash)`,
    [tenantId, now, new Date(now.getTime() + 86_400_000), sessions.map((s) => s[0]), sessions.map((s) => s[1])],
  );
  await db.query('commit');
  return users;
}

// ---- the two sides --------------------------------------------------------------------------------------

/** Two bare nodes on one adapter key. */
async function bareSide(prefix) {
  const nodes = NODES.map((n) =>
    forkChild(new URL('./support/bare-socket-node.js', import.meta.url), `bare node ${n}`),
  );
  return {
    name: 'bare socket.io',
    nodes,
    async start() {
      const key = `${prefix}-bare:socket.io`;
      const ports = await Promise.all(
        nodes.map((n) => n.call('listen', { redisUrl: REDIS_URL, key, backlog: BACKLOG })),
      );
      const urls = ports.map(({ port }) => `http://127.0.0.1:${port}`);
      const users = Array.from({ length: WARMUP + USERS }, () => ({ userId: randomUUID() }));
      return {
        urls,
        users,
        auth: (user) => ({ userId: user.userId }),
        badAuth: {},
        request: { base: urls[0], path: '/disconnect/:userId', headers: {} },
        answerProblem: (r) => (r.status === 202 ? null : `answered ${r.status} ${JSON.stringify(r.body)}`),
      };
    },
  };
}

/** Two Stepguard api nodes on the bench database and Redis prefix; the tenant, key and users they serve. */
async function stepguardSide(prefix, database, db) {
  const nodes = NODES.map((n) =>
    forkChild(new URL('./support/stepguard-socket-node.js', import.meta.url), `Stepguard node ${n}`),
  );
  return {
    name: 'Stepguard',
    nodes,
    async start() {
      const options = {
        databaseUrl: database.url,
        redisPrefix: prefix,
        operatorToken: OPERATOR_TOKEN,
        logLevel: args['log-level'],
        backlog: BACKLOG,
        poolMax: POOL_MAX,
      };
      const ports = await Promise.all(nodes.map((n) => n.call('listen', options)));
      const urls = ports.map(({ port }) => `http://127.0.0.1:${port}`);
      console.log(`  each node's PostgreSQL pool: ${ports[0].poolMax} connections (DATABASE_POOL_MAX)`);
      const { tenantId, apiKey } = await arrangeTenant(urls[0]);
      const seedStarted = performance.now();
      const users = await seedUsers(db, tenantId, WARMUP + USERS);
      console.log(
        `  seeded ${users.length} users and ${users.length * 2} sessions by SQL in ` +
          `${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
      );
      return {
        urls,
        users,
        auth: (user, node) => ({ token: user.tokens[node] }),
        badAuth: { token: newOpaqueToken(SESSION_TOKEN_PREFIX) },
        request: {
          base: urls[0],
          path: '/v1/admin/users/:userId/disconnect',
          headers: { authorization: `Bearer ${apiKey}` },
        },
        answerProblem: (r) => {
          const b = r.body ?? {};
          const ok = r.status === 202 && b.sessionsAffected === 2 && b.socketsDisconnected === 2 && b.allNodesReached;
          return ok ? null : `answered ${r.status} ${JSON.stringify(r.body)} (expected 202, 2 sessions, 2 sockets)`;
        },
      };
    },
  };
}

// ---- measuring ------------------------------------------------------------------------------------------

function pct(xs, p) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const dist = (xs) => ({ p50: pct(xs, 50), p99: pct(xs, 99), max: Math.max(...xs), n: xs.length });

async function connect(fleet, run, users) {
  const sockets = users.flatMap((user) =>
    NODES.map((node, i) => ({ userId: user.userId, node, url: run.urls[i], auth: run.auth(user, i) })),
  );
  const result = await fleet.call('connect', { sockets, concurrency: CONCURRENCY }, 300_000);
  if (Object.keys(result.failures).length)
    throw new Error(`handshakes refused or failed: ${JSON.stringify(result.failures)}`);
  return result.seconds;
}

/**
 * Whether every call was answered as the side promises and every socket (one per node) got the step-up
 * event with the reason sent and then the server's disconnect; returns what was not, the answers' status
 * codes, and the latencies of the sockets that behaved, per node, and of the answers.
 */
function verify(results, reason, run, what) {
  const problems = [];
  const latency = { all: [], A: [], B: [] };
  const http = [];
  const statuses = {};
  for (const r of results) {
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const answer = run.answerProblem(r);
    if (answer) problems.push(`user ${r.userId}: ${answer}`);
    http.push(r.httpMs);
    const nodes = r.sockets.map((s) => s.node).sort();
    if (nodes.join() !== NODES.join()) problems.push(`user ${r.userId}: sockets on nodes ${nodes.join()}`);
    for (const s of r.sockets) {
      const [event, closed, ...more] = s.events;
      if (
        event?.type !== 'step_up_required' ||
        event.detail !== reason ||
        closed?.type !== 'disconnect' ||
        closed.detail !== 'io server disconnect' ||
        more.length
      ) {
        problems.push(`user ${r.userId}, node ${s.node}: received ${JSON.stringify(s.events)}`);
        continue;
      }
      latency.all.push(closed.ms);
      latency[s.node].push(closed.ms);
    }
  }
  const problem = problems.length
    ? `${what}: ${problems.length} problems, e.g.\n  ${problems.slice(0, 5).join('\n  ')}`
    : null;
  return { all: dist(latency.all), A: dist(latency.A), B: dist(latency.B), http: dist(http), statuses, problem };
}

async function disconnectUsers(fleet, run, users, concurrent, what) {
  const reason = `bench: ${what}`;
  const userIds = users.map((u) => u.userId);
  const request = { ...run.request, body: { reason } };
  const results = await fleet.call(
    'disconnect',
    { userIds, request, concurrent, timeoutMs: TIMEOUT_MS },
    TIMEOUT_MS + 10_000,
  );
  const starts = results.map((r) => r.started);
  return { ...verify(results, reason, run, what), dispatchMs: Math.max(...starts) - Math.min(...starts) };
}

async function measureSide(side) {
  console.log(`${side.name} (load average ${load()}):`);
  const fleet = forkChild(new URL('./support/socket-fleet.js', import.meta.url), `${side.name} client fleet`);
  try {
    const run = await side.start();
    const refusal = await fleet.call('refusal', { url: run.urls[1], auth: run.badAuth });
    if (refusal !== 'unauthorized') throw new Error(`a socket with bad credentials got ${refusal ?? 'connected'}`);

    const warm = run.users.slice(0, WARMUP);
    const measured = run.users.slice(WARMUP);
    await connect(fleet, run, warm);
    const warmUp = await disconnectUsers(fleet, run, warm, false, 'warm-up');
    if (warmUp.problem) throw new Error(warmUp.problem);

    const before = await Promise.all(side.nodes.map((n) => n.call('heap')));
    const connectSeconds = await connect(fleet, run, measured);
    const after = await Promise.all(side.nodes.map((n) => n.call('heap')));
    const heapKb = after.map((h, i) => (h - before[i]) / measured.length / KB);
    console.log(
      `  ${measured.length * 2} sockets connected in ${connectSeconds.toFixed(1)} s (${CONCURRENCY} handshakes at a time); ` +
        `heap ${NODES.map((n, i) => `${n} ${(before[i] / KB / KB).toFixed(0)} → ${(after[i] / KB / KB).toFixed(0)} MB`).join(', ')}`,
    );

    const single = await disconnectUsers(fleet, run, measured.slice(0, SINGLE), false, 'single users');
    const idle = await fleet.call('warm', { url: `${run.request.base}/healthz`, count: BURST });
    if (idle < BURST) throw new Error(`only ${idle} of ${BURST} kept-alive connections to node A stayed open`);
    const overflowsBefore = listenOverflows();
    const burst = await disconnectUsers(fleet, run, measured.slice(SINGLE, SINGLE + BURST), true, 'burst');
    const overflows = overflowsBefore === null ? null : listenOverflows() - overflowsBefore;

    const called = [...warm, ...measured.slice(0, SINGLE + BURST)].map((u) => u.userId);
    const { total, intact } = await fleet.call('untouched', { except: called });
    if (total !== (run.users.length - called.length) * 2 || intact !== total)
      throw new Error(
        `of the ${total} sockets of users never called, only ${intact} are still connected and untouched`,
      );
    const problems = [single.problem, burst.problem].filter(Boolean);
    const answers = (d) =>
      Object.entries(d.statuses)
        .map(([code, n]) => `${n} × ${code}`)
        .join(', ');
    console.log(
      (problems.length
        ? `  NOT AS EXPECTED (see the end); answers: single ${answers(single)}, burst ${answers(burst)}; `
        : `  every call answered as expected, every socket got the step-up event then the disconnect; `) +
        `${intact} other sockets still connected and untouched; the burst's ${BURST} calls went out over ` +
        `${BURST} kept-alive connections within ${ms(burst.dispatchMs)} ms; listen overflows during it: ${overflows ?? 'n/a'}`,
    );
    return {
      connectSeconds,
      heapKb,
      single,
      burst,
      problems: problems.map((p) => `${side.name}, ${p}`),
    };
  } finally {
    await fleet.call('close').catch(() => undefined);
    await fleet.stop();
    await Promise.all(side.nodes.map((n) => n.stop()));
  }
}

// ---- printing -------------------------------------------------------------------------------------------

const ms = (x) => (x === undefined ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const line = (cells, widths) => cells.map((c, i) => String(c)[i === 0 ? 'padEnd' : 'padStart'](widths[i])).join('');

function printSide(name, r) {
  const widths = [34, 9, 9, 9, 7];
  console.log(`\n${name}`);
  console.log(line(['', 'p50 ms', 'p99 ms', 'max ms', 'n'], widths));
  for (const [label, d] of [
    ['single: call → disconnect, all', r.single.all],
    ['        node A (local)', r.single.A],
    ['        node B (through Redis)', r.single.B],
    ['        call → API answer', r.single.http],
    [`burst of ${BURST}: call → disconnect`, r.burst.all],
    ['        node A (local)', r.burst.A],
    ['        node B (through Redis)', r.burst.B],
    ['        call → API answer', r.burst.http],
  ])
    console.log(line([label, ms(d.p50), ms(d.p99), ms(d.max), d.n], widths));
}

function printComparison(bare, sg) {
  const widths = [34, 12, 12, 10, 14];
  const ratio = (a, b) => a / b;
  const verdict = (r, target) => `${r <= target ? 'within' : 'OVER'} ${target}×`;
  const heap = (r) => (r.heapKb[0] + r.heapKb[1]) / 2;
  console.log('\nStepguard next to bare socket.io + Redis adapter');
  console.log(line(['', 'bare', 'Stepguard', 'ratio', 'target'], widths));
  const rows = [
    ['single, p50 ms', bare.single.all.p50, sg.single.all.p50, null],
    ['single, p99 ms', bare.single.all.p99, sg.single.all.p99, TARGETS.p99],
    [`burst of ${BURST}, p50 ms`, bare.burst.all.p50, sg.burst.all.p50, null],
    [`burst of ${BURST}, p99 ms`, bare.burst.all.p99, sg.burst.all.p99, TARGETS.p99],
    ['heap per socket, node A, KB', bare.heapKb[0], sg.heapKb[0], null],
    ['heap per socket, node B, KB', bare.heapKb[1], sg.heapKb[1], null],
    ['heap per socket, mean, KB', heap(bare), heap(sg), TARGETS.heap],
    ['connect all sockets, s', bare.connectSeconds, sg.connectSeconds, null],
  ];
  for (const [label, b, s, target] of rows) {
    const r = ratio(s, b);
    console.log(line([label, ms(b), ms(s), `${r.toFixed(2)}×`, target ? verdict(r, target) : ''], widths));
  }
}

// ---- main -----------------------------------------------------------------------------------------------

async function main() {
  const files = openFileLimit();
  // The fleet holds every socket plus the burst's HTTP connections; each node half the sockets.
  const needed = 2 * (WARMUP + USERS) + BURST + 500;
  if (files < needed) throw new Error(`ulimit -n is ${files}: the client process needs about ${needed} descriptors`);
  console.log(
    `socket-disconnect: ${USERS * 2} live sockets (${USERS} users × 1 on node A + 1 on node B), Disconnect API ` +
      `called on node A; ${SINGLE} single users one after another, then ${BURST} users at once; ` +
      `socket.io ${version('socket.io')}, @socket.io/redis-adapter ${version('@socket.io/redis-adapter')}, ` +
      `node ${process.version}, ${CPUS} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / KB ** 3).toFixed(0)} GB, ` +
      `ulimit -n ${files}, shared by PostgreSQL, Redis, 2 server processes and the client process; ` +
      `load average at the start ${load()}`,
  );
  const prefix = `sgbench-${process.pid}`;
  const database = await createBenchDatabase();
  const db = new pg.Client({ connectionString: database.url });
  const results = {};
  try {
    await db.connect();
    for (const name of SIDES) {
      const side = name === 'bare' ? await bareSide(prefix) : await stepguardSide(prefix, database, db);
      results[name] = await measureSide(side);
    }
    if (results.bare) printSide('bare socket.io + Redis adapter', results.bare);
    if (results.stepguard) printSide('Stepguard', results.stepguard);
    if (results.bare && results.stepguard) printComparison(results.bare, results.stepguard);
    // Other work on the machine skews every figure above; the load average says how much there was.
    console.log(`\nload average at the end: ${load()} on ${CPUS} CPUs`);
    // The figures are printed either way: a refusal under load is itself a finding. The run still fails.
    const problems = Object.values(results).flatMap((r) => r.problems);
    if (problems.length) throw new Error(`the run did not go as expected:\n${problems.join('\n')}`);
  } finally {
    await db.end().catch(() => undefined);
    await database.drop();
    await deleteRedisKeys(prefix);
    await deleteRedisKeys(`${prefix}-bare`);
  }
}

await main();
