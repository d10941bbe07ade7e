// Stepguard side by side with better-auth 1.7.25 (npm, its twoFactor plugin) on the same machine, the same
// PostgreSQL and the same password hash: how many requests per second each serves on five hot paths.
//
//   npm run bench:peer        (= node tools/start.ts bench/peer.bench.js: builds dist/ when stale)
//   npm exec -- node bench/peer.bench.js [--duration 10] [--rounds 3] [--warmup 2] [--connections N]
//                                        [--routes sign-in,me,sessions,revoke,totp] [--tenants 1]
//                                        [--revoke-users 32] [--pool-margin 3] [--quick] [--log-level silent]
//
// Each server runs in its own process, so each one's memory is its own: Stepguard is the built app (dist/,
// bench/support/stepguard-server.js) on a fresh database `stepguard_bench_test_<pid>` migrated by its own
// MikroORM config and a throw-away Redis prefix; better-auth (bench/support/better-auth-server.js) is
// served by plain node:http through `toNodeHandler`, on a pg Pool over a fresh database
// `better_auth_bench_test_<pid>` migrated by its own `getMigrations`, its rate limiter off, its password
// hashing switched from scrypt to argon2id with Stepguard's parameters (the parameters in the stored hashes
// are compared, and the run stops if they differ), sessions its default (a database row read per request;
// its cookie cache is off by default and stays off). autocannon runs in this process, never in a server's.
//
// Routes, each at the same concurrency on both sides (--connections overrides them all):
//   sign-in (8)   POST /v1/auth/login of a user without MFA  vs  POST /api/auth/sign-in/email
//   me (32)       GET /v1/me                                 vs  GET /api/auth/get-session
//   sessions (32) GET /v1/me/sessions (5 sessions)           vs  GET /api/auth/list-sessions (5 sessions)
//   revoke (8)    DELETE /v1/me/sessions/:id                 vs  POST /api/auth/revoke-session {token}
//   totp (8)      POST /v1/auth/challenges/:id/verify        vs  POST /api/auth/two-factor/verify-totp
// (/v1/me also answers the tenant and the MFA status; get-session the session and the user.)
// revoke: every request revokes a different live session of one of --revoke-users signed-in users, all in
// ONE Stepguard tenant by default (its audit chain is per tenant; --tenants N spreads them over N). totp:
// every request answers its own user's pending sign-in challenge with the current code (both spend a
// challenge once; Stepguard also accepts a time step once per factor, better-auth keeps no record of used
// steps). Those sessions and challenges are inserted by SQL before each run, as each server writes them (a
// sign-in per challenge would cost an argon2id hash), sized from the fastest rate seen so far on either
// side (at least 100/s) × duration × --pool-margin; a run that uses them all fails. The real paths are
// checked first on each side through the API: a user enrols TOTP, signs in, answers the challenge, and the
// spent challenge is refused (and the same code at a fresh challenge: printed).
//
// Per route: a --warmup run on each side, then --rounds rounds interleaved Stepguard, better-auth,
// Stepguard, …, each starting once the server has finished the requests the previous run left in flight;
// the medians are printed with the ratio, each server process's RSS after the runs and its peak (not
// PostgreSQL's or Redis'), and the machine's load. Every answer is checked (status, and for get-session a
// session in the body, for the lists their length); the seeded sessions revoked and challenges spent must
// cover the answers that said so. Any wrong answer fails the run, after the figures. Timings are printed,
// never asserted. Before the load, one request of each route is sent alone (three times, the fewest kept)
// and the SQL statements and Redis round trips each server sent for it are counted at its drivers.
// Defaults take about 6 minutes; the issue's first figures used 15 s rounds (--duration 15, about 8.5).
// --quick (3 s rounds, 1 s warm-up) checks that everything works; its figures are not worth quoting.
// Everything runs on this machine: PostgreSQL, Redis, both servers and autocannon share its cores.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { generateSync } from 'otplib';
import { createBenchDatabase, createEmptyDatabase, deleteRedisKeys } from './support/bench-database.js';
import { betterAuthSide } from './support/peer-side-better-auth.js';
import { stepguardSide } from './support/peer-side-stepguard.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    routes: { type: 'string', default: 'sign-in,me,sessions,revoke,totp' },
    tenants: { type: 'string', default: '1' },
    'revoke-users': { type: 'string', default: '32' },
    'pool-margin': { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'silent' },
  },
});
/** --quick: short runs to check that everything works, not figures to quote. */
const DURATION = Number(args.duration ?? (args.quick ? 3 : 10));
const WARMUP = Number(args.warmup ?? (args.quick ? 1 : 2));
const ROUNDS = Number(args.rounds);
const TENANTS = Number(args.tenants);
const REVOKE_USERS = Number(args['revoke-users']);
const POOL_MARGIN = Number(args['pool-margin']);
const PASSWORD = 'correct horse battery staple';
const SESSIONS_PER_USER = 5;
const CPUS = availableParallelism();

const ROUTES = [
  { key: 'sign-in', title: 'password sign-in', connections: 8 },
  { key: 'me', title: 'who am I', connections: 32 },
  { key: 'sessions', title: 'list sessions', connections: 32 },
  { key: 'revoke', title: 'revoke a session', connections: 8, pool: true },
  { key: 'totp', title: 'TOTP at the login challenge', connections: 8, pool: true },
].filter((r) => args.routes.split(',').includes(r.key));
for (const r of ROUTES) if (args.connections) r.connections = Number(args.connections);
if (ROUTES.length !== new Set(args.routes.split(',')).size)
  throw new Error('--routes takes a list of sign-in, me, sessions, revoke, totp');
const counts = [ROUNDS, TENANTS, REVOKE_USERS, ...ROUTES.map((r) => r.connections)];
if (!counts.every((n) => Number.isInteger(n) && n >= 1) || !(DURATION > 0 && WARMUP >= 0 && POOL_MARGIN >= 1))
  throw new Error(
    '--rounds, --connections, --tenants and --revoke-users take whole numbers ≥ 1, --duration > 0, --pool-margin ≥ 1',
  );

/** A pool's first run has no rate to size it by: this many requests per second, × the margin. */
const FIRST_RATE_GUESS = 1000;
/**
 * Pools are never sized for less: a warm-up on a busy machine can run at a third of the next round's
 * rate, and seeding a few thousand rows more takes a second or two.
 */
const MIN_RATE = 100;

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Whether an answer is the one the route gives when it works (see each server's `expect`). */
function checker(expect) {
  return (status, body) => {
    if (status !== expect.status) return false;
    if (expect.contains && !body?.includes(expect.contains)) return false;
    if (expect.length !== undefined) {
      try {
        const parsed = JSON.parse(body);
        const list = expect.key ? parsed[expect.key] : parsed;
        return Array.isArray(list) && list.length === expect.length;
      } catch {
        return false;
      }
    }
    return true;
  };
}

/** A pool item as autocannon sends it: a TOTP challenge gets the code of the moment it is built. */
const itemRequest = (item) => ({
  method: item.method,
  path: item.path,
  headers: item.headers,
  body: item.secret ? JSON.stringify({ ...item.body, code: generateSync({ secret: item.secret }) }) : item.body,
});

/**
 * One autocannon run against a side. `spec` is a fixed request, or `items`: one per request, in order;
 * running out of them stops the run and marks it (the rest would be replays, not the path measured).
 */
async function drive(side, route, duration, { spec, items }) {
  const ok = checker(spec.expect);
  let wrong = 0;
  let firstWrong;
  const onResponse = (status, body) => {
    if (ok(status, body)) return;
    wrong++;
    firstWrong ??= `${status} ${String(body).slice(0, 200)}`;
  };
  let next = 0;
  let ranOut = false;
  let instance;
  const request = items
    ? {
        setupRequest(req) {
          if (next >= items.length) {
            if (!ranOut) setImmediate(() => instance.stop());
            ranOut = true;
            return { ...req, ...itemRequest(items[items.length - 1]) };
          }
          return { ...req, ...itemRequest(items[next++]) };
        },
        onResponse,
      }
    : { method: spec.method, path: spec.path, headers: spec.headers, body: spec.body, onResponse };
  instance = autocannon({ url: side.baseUrl, connections: route.connections, duration, requests: [request] });
  const result = await instance;
  // Requests autocannon gave up on at its end are still being answered: the next run starts after them.
  const stragglers = await side.child.call('idle', undefined, 60_000);
  if (stragglers)
    console.error(`  ${side.name} ${route.key}: ${stragglers} requests still unanswered 30 s after the run`);
  const statuses = Object.entries(result.statusCodeStats ?? {})
    .map(([code, { count }]) => `${code}×${count}`)
    .join(' ');
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    wrong,
    firstWrong,
    errors: result.errors + result.timeouts,
    statuses,
    built: next,
    ranOut,
  };
}

/** SQL statements and Redis round trips a server sends for one request, until its counters settle. */
async function countOne(side, request) {
  const before = await side.child.call('counters');
  const res = await fetch(new URL(request.path, side.baseUrl), {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const body = await res.text();
  let after = await side.child.call('counters');
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = await side.child.call('counters');
    if (now.sql === after.sql && now.redisRoundTrips === after.redisRoundTrips) break;
    after = now;
  }
  return {
    status: res.status,
    body,
    sql: after.sql - before.sql,
    redis: after.redisRoundTrips - before.redisRoundTrips,
  };
}

async function countRoute(side, route, problems) {
  const samples = [];
  const items = route.pool ? await side.pool(route.key, 3) : null;
  const ok = checker(side.routes[route.key].expect);
  for (let i = 0; i < 3; i++) {
    const request = items ? itemRequest(items[i]) : side.routes[route.key];
    const sample = await countOne(side, request);
    if (!ok(sample.status, sample.body))
      problems.push(
        `${side.name} ${route.key}: a single request answered ${sample.status} ${sample.body.slice(0, 200)}`,
      );
    samples.push(sample);
  }
  if (items) {
    const used = await side.poolUsed(route.key);
    if (used !== 3) problems.push(`${side.name} ${route.key}: 3 single requests used up ${used} seeded items, not 3`);
    if (route.key === 'totp') {
      const replay = await countOne(side, itemRequest(items[0]));
      if (replay.status < 400) problems.push(`${side.name}: a spent challenge was accepted again (${replay.status})`);
    }
  }
  const fewest = (k) => Math.min(...samples.map((s) => s[k]));
  return { sql: fewest('sql'), redis: fewest('redis') };
}

async function measureRoute(route, sides, problems) {
  const runs = Object.fromEntries(sides.map((s) => [s.key, []]));
  /** The fastest rate seen so far on either side: what the next pool is sized by. */
  let fastest;
  const seeding = { items: 0, ms: 0 };
  const once = async (side, duration, measured) => {
    let items;
    if (route.pool) {
      const rate = Math.max(fastest ?? FIRST_RATE_GUESS, MIN_RATE);
      const count = Math.ceil(rate * duration * POOL_MARGIN) + 20 * route.connections;
      const started = performance.now();
      items = await side.pool(route.key, count);
      seeding.items += count;
      seeding.ms += performance.now() - started;
    }
    const run = await drive(side, route, duration, { spec: side.routes[route.key], items });
    const what = `${side.name} ${route.key} (${measured ? 'measured' : 'warm-up'})`;
    if (run.wrong || run.errors)
      problems.push(
        `${what}: ${run.wrong} wrong answers of ${run.total} (${run.statuses}; first: ${run.firstWrong}), ${run.errors} errors/timeouts`,
      );
    if (run.ranOut)
      problems.push(`${what}: all ${items.length} seeded items were used before the end: raise --pool-margin`);
    if (route.pool) {
      const used = await side.poolUsed(route.key);
      const answered = run.total - run.wrong;
      // More used than answered is a request in flight when autocannon stopped; fewer is a wrong count.
      if (used < answered) problems.push(`${what}: ${answered} answers said done but ${used} seeded items were used`);
      if (used > run.built) problems.push(`${what}: ${used} seeded items used but only ${run.built} requests built`);
    }
    fastest = Math.max(run.rps, fastest ?? 0);
    if (measured) runs[side.key].push(run);
    return run;
  };
  if (WARMUP > 0) for (const side of sides) await once(side, WARMUP, false);
  for (let round = 0; round < ROUNDS; round++) for (const side of sides) await once(side, DURATION, true);
  const seeded = route.pool ? `, ${seeding.items} items seeded in ${(seeding.ms / 1000).toFixed(1)} s` : '';
  console.error(`  ${route.key} done (load ${load()}${seeded})`);
  return runs;
}

function printTable(rows) {
  const header = [
    'path (connections)',
    'Stepguard req/s',
    'p50',
    'p99',
    'better-auth req/s',
    'p50',
    'p99',
    'ratio',
    'SQL + Redis per request',
  ];
  const cells = rows.map((r) => [
    `${r.route.title} (${r.route.connections})`,
    r.sg.rps.toFixed(1),
    `${r.sg.p50} ms`,
    `${r.sg.p99} ms`,
    r.ba.rps.toFixed(1),
    `${r.ba.p50} ms`,
    `${r.ba.p99} ms`,
    `${(r.sg.rps / r.ba.rps).toFixed(2)}×`,
    r.counts,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => c.map((v, i) => String(v)[i === 0 || i === 8 ? 'padEnd' : 'padStart'](widths[i])).join('  ');
  console.log(line(header));
  for (const c of cells) console.log(line(c));
}

/** Ends the servers and removes the databases and Redis keys; once, whether the run ended, failed or was interrupted. */
let cleanup = async () => undefined;
let interrupted = false;

async function main() {
  const loadAtStart = load();
  const started = performance.now();
  const prefix = `sgpeer-${process.pid}`;
  const databases = [];
  const sides = [];
  let cleaning;
  cleanup = () =>
    (cleaning ??= (async () => {
      await Promise.all(sides.map((s) => s.stop().catch((e) => console.error(`stop ${s.name}: ${e.message}`))));
      for (const db of databases) await db.drop().catch((e) => console.error(`drop ${db.name}: ${e.message}`));
      await deleteRedisKeys(prefix).catch((e) => console.error(`Redis keys ${prefix}: ${e.message}`));
    })());
  try {
    const logLevel = args['log-level'];
    const sgDatabase = await createBenchDatabase();
    databases.push(sgDatabase);
    const baDatabase = await createEmptyDatabase(`better_auth_bench_test_${process.pid}`);
    databases.push(baDatabase);
    sides.push(stepguardSide({ databaseUrl: sgDatabase.url, redisPrefix: prefix, logLevel }));
    sides.push(betterAuthSide({ databaseUrl: baDatabase.url, logLevel }));
    const problems = [];
    for (const side of sides) await side.start();
    for (const side of sides) {
      const arrangement = { password: PASSWORD, sessionsPerUser: SESSIONS_PER_USER, revokeUsers: REVOKE_USERS };
      Object.assign(side, await side.arrange({ ...arrangement, tenants: TENANTS }));
      side.memoryArranged = await side.child.call('memory');
    }
    const [sg, ba] = sides;
    if (sg.hash !== ba.hash)
      throw new Error(`the password hashes differ: Stepguard ${sg.hash}, better-auth ${ba.hash}`);

    console.log(
      `peer: Stepguard vs better-auth 1.7.25, ${ROUNDS} interleaved rounds of ${DURATION} s per route after ` +
        `${WARMUP} s warm-up on each side; node ${process.version}, ${CPUS} CPUs (${cpus()[0]?.model.trim()}) ` +
        `shared by PostgreSQL, Redis, both servers and autocannon; load average at the start ${loadAtStart}`,
    );
    console.log(
      `password hash on both sides: ${sg.hash}; better-auth sessions: database rows, cookie cache off ` +
        `(its default); revoke callers: ${REVOKE_USERS} users in ${TENANTS} Stepguard tenant(s)`,
    );
    for (const line of [...sg.smoke, ...ba.smoke]) console.log(line);

    const counts = {};
    for (const route of ROUTES) {
      const [a, b] = [await countRoute(sg, route, problems), await countRoute(ba, route, problems)];
      counts[route.key] = `${a.sql} + ${a.redis} vs ${b.sql}${b.redis ? ` + ${b.redis}` : ''}`;
    }

    const rows = [];
    for (const route of ROUTES) {
      const runs = await measureRoute(route, sides, problems);
      const summary = (rs) => ({
        rps: median(rs.map((r) => r.rps)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        rounds: rs.map((r) => r.rps.toFixed(1)).join(' / '),
      });
      rows.push({ route, sg: summary(runs.stepguard), ba: summary(runs['better-auth']), counts: counts[route.key] });
    }
    const loadAtEnd = load();
    for (const side of sides) side.after = await side.child.call('memory');

    console.log(`\nmedians of ${ROUNDS} rounds; ratio = Stepguard req/s ÷ better-auth req/s`);
    printTable(rows);
    console.log('\nreq/s of each round (Stepguard | better-auth):');
    for (const r of rows) console.log(`  ${r.route.key.padEnd(9)} ${r.sg.rounds} | ${r.ba.rounds}`);
    console.log(
      '\nSQL + Redis per request: statements sent through pg and Redis round trips (a pipeline or MULTI is ' +
        'one) by the server for one request sent alone, fewest of 3 (Stepguard vs better-auth, which has no Redis)',
    );
    console.log('\nserver memory (RSS): after arranging → after the runs (peak)');
    for (const side of sides)
      console.log(
        `  ${side.name.padEnd(12)} ${mb(side.memoryArranged.rss)} → ${mb(side.after.rss)} (peak ${mb(side.after.peakRss)})`,
      );
    // Other work on the machine skews every figure above; the load average says how much there was.
    console.log(
      `\nload average at the end: ${loadAtEnd} on ${CPUS} CPUs; wall time ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    if (problems.length) {
      console.log(`\n${problems.length} problem(s): these figures are not to be quoted`);
      for (const p of problems) console.log(`  ${p}`);
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    interrupted = true;
    console.error(`${signal}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  });

// Interrupted, the run fails on the servers it just stopped: that error says nothing new.
await main().catch((error) => {
  if (!interrupted) throw error;
});
