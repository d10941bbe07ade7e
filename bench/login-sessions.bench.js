// How fast are the two hottest routes: password login (argon2id verify, session insert, audit entry)
// and the session list (bearer-token lookup, one indexed query)?
//
//   npm run build && npm exec -- node bench/login-sessions.bench.js [--duration 10] [--connections 4] [--warmup 2] [--log-level silent]
//
// Plain JS on the built code (dist/): a fresh database `stepguard_bench_test_<pid>` migrated by the
// app's own MikroORM config, the real HTTP app on a random loopback port, the local Redis under a
// throw-away key prefix. autocannon drives each route from a worker thread (so the load generator does
// not share the app's event loop) for a warm-up, then a measured run, and the figures are printed.
// Everything runs on this machine: PostgreSQL, Redis, the app and the load generator share its cores.
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createHttpApp } from '../dist/src/app/create-http-app.js';
import { benchConfig } from './support/bench-config.js';
import { createBenchDatabase, deleteRedisKeys } from './support/bench-database.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '2' },
    'log-level': { type: 'string', default: 'silent' },
  },
});
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const WARMUP = Number(args.warmup);

const TENANT = 'bench';
const PASSWORD = 'correct horse battery staple';
const OPERATOR_TOKEN = randomBytes(32).toString('base64url');
const SESSIONS_PER_USER = 5;

async function call(baseUrl, method, path, { body, token } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(new URL(path, baseUrl), { method, headers, body: body && JSON.stringify(body) });
  const json = await res.json().catch(() => undefined);
  return { status: res.status, body: json };
}

async function expectStatus(promise, status, what) {
  const res = await promise;
  if (res.status !== status)
    throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A tenant, a user whose password is measured, and a user with a few sessions whose list is measured. */
async function arrange(baseUrl) {
  const adminEmail = `admin@${TENANT}.example`;
  await expectStatus(
    call(baseUrl, 'POST', '/v1/tenants', {
      token: OPERATOR_TOKEN,
      body: { slug: TENANT, name: 'Bench', admin: { email: adminEmail, password: PASSWORD } },
    }),
    201,
    'create tenant',
  );
  const login = (email) =>
    call(baseUrl, 'POST', '/v1/auth/login', { body: { tenant: TENANT, email, password: PASSWORD } });
  const adminToken = (await expectStatus(login(adminEmail), 200, 'admin login')).token;
  const users = {};
  for (const name of ['login', 'sessions']) {
    const email = `${name}@${TENANT}.example`;
    await expectStatus(
      call(baseUrl, 'POST', '/v1/admin/users', {
        token: adminToken,
        body: { email, roles: ['member'], password: PASSWORD },
      }),
      201,
      `create ${name} user`,
    );
    users[name] = email;
  }
  let token;
  for (let i = 0; i < SESSIONS_PER_USER; i++) token = (await expectStatus(login(users.sessions), 200, 'login')).token;
  const listed = await expectStatus(call(baseUrl, 'GET', '/v1/me/sessions', { token }), 200, 'list sessions');
  if (listed.sessions.length !== SESSIONS_PER_USER)
    throw new Error(`expected ${SESSIONS_PER_USER} sessions, listed ${listed.sessions.length}`);
  const loggedIn = await expectStatus(login(users.login), 200, 'login');
  if (loggedIn.status !== 'authenticated') throw new Error(`login answered ${loggedIn.status}, not authenticated`);
  return { loginEmail: users.login, sessionToken: token };
}

async function measure(title, request) {
  const common = { ...request, connections: CONNECTIONS, workers: 1 };
  if (WARMUP > 0) await autocannon({ ...common, duration: WARMUP });
  const result = await autocannon({ ...common, title, duration: DURATION });
  return {
    title,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses: Object.entries(result.statusCodeStats ?? {})
      .map(([code, { count }]) => `${code}×${count}`)
      .join(' '),
  };
}

function print(rows) {
  const line = (cells) =>
    cells
      .map((c, i) =>
        String(c)
          .padStart(i === 0 ? 0 : 10)
          .padEnd(i === 0 ? 22 : 0),
      )
      .join('');
  console.log(line(['route', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx', 'errors']));
  for (const r of rows) console.log(line([r.title, r.rps.toFixed(1), r.p50, r.p99, r.total, r.non2xx, r.errors]));
  for (const r of rows)
    if (r.non2xx || r.errors) console.log(`  ${r.title}: status codes ${r.statuses}; ${r.errors} errors/timeouts`);
}

/**
 * Unknown tenant, unknown user and wrong password must not be told apart by timing: each case is
 * sent one request at a time, interleaved, and the latency distributions are printed side by side.
 */
async function failureTimings(baseUrl, email) {
  const cases = {
    'wrong password': { tenant: TENANT, email, password: 'not the password' },
    'unknown user': { tenant: TENANT, email: `nobody@${TENANT}.example`, password: 'not the password' },
    'unknown tenant': { tenant: 'no-such-tenant', email, password: 'not the password' },
  };
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let round = 0; round < 40; round++) {
    for (const [name, body] of Object.entries(cases)) {
      const started = performance.now();
      const res = await call(baseUrl, 'POST', '/v1/auth/login', { body });
      if (res.status !== 401) throw new Error(`${name}: expected 401, got ${res.status}`);
      if (round >= 5) samples[name].push(performance.now() - started);
    }
  }
  const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
  console.log('\nfailed logins, 35 sequential requests each (401 invalid_credentials in every case)');
  console.log(`${'case'.padEnd(22)}${'p50 ms'.padStart(10)}${'p90 ms'.padStart(10)}`);
  for (const [name, xs] of Object.entries(samples)) {
    console.log(`${name.padEnd(22)}${pct(xs, 50).toFixed(1).padStart(10)}${pct(xs, 90).toFixed(1).padStart(10)}`);
  }
}

async function main() {
  const prefix = `sgbench-${process.pid}`;
  const db = await createBenchDatabase();
  let app;
  try {
    app = await createHttpApp(
      benchConfig({
        databaseUrl: db.url,
        redisPrefix: prefix,
        operatorToken: OPERATOR_TOKEN,
        logLevel: args['log-level'],
      }),
    );
    await app.listen(0, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${app.getHttpServer().address().port}`;
    const { loginEmail, sessionToken } = await arrange(baseUrl);

    console.log(
      `login-sessions: ${DURATION} s per route after ${WARMUP} s warm-up, ${CONNECTIONS} connections, ` +
        `node ${process.version}, ${availableParallelism()} CPUs shared by PostgreSQL, Redis, the app and autocannon`,
    );
    const rows = [
      await measure('POST /v1/auth/login', {
        url: `${baseUrl}/v1/auth/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: TENANT, email: loginEmail, password: PASSWORD }),
      }),
      await measure('GET /v1/me/sessions', {
        url: `${baseUrl}/v1/me/sessions`,
        headers: { authorization: `Bearer ${sessionToken}` },
      }),
    ];
    print(rows);
    await failureTimings(baseUrl, loginEmail);
    // Other work on the machine skews every figure above; the load average says how much there was.
    console.log(`1-minute load average at the end: ${loadavg()[0].toFixed(2)} on ${availableParallelism()} CPUs`);
    if (rows.some((r) => r.non2xx || r.errors)) process.exitCode = 1;
  } finally {
    // Nest closes the database before the HTTP server: let the requests still in flight finish first.
    await new Promise((resolve) => (app ? app.getHttpServer().close(resolve) : resolve()));
    await app?.close();
    await db.drop();
    await deleteRedisKeys(prefix);
  }
}

await main();
