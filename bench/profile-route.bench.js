// Where does the api's main thread spend a hot route's time? A CPU profile of the app under load.
//
//   npm run bench:profile -- [--route /v1/me] [--duration 10] [--connections 32] [--out profile.cpuprofile]
//                            [--log-level silent]
//
// Plain JS on the built code (dist/): a fresh database `stepguard_bench_test_<pid>` migrated by the app's
// own MikroORM config, the real HTTP app on a random loopback port, the local Redis under a throw-away
// key prefix. A tenant and a member with five sessions are made through the API; --route (a GET the
// member may call: /v1/me, /v1/me/sessions, ...) is driven by autocannon from a worker thread for a
// 3 s warm-up, then profiled through the inspector (the equivalent of --cpu-prof, on the app's thread
// only) for --duration seconds. It prints the throughput and the self time by package (node_modules
// package, Stepguard slice, Node internals), and with --out writes the profile for Chrome's DevTools.
// A run fails if any answer is not a 200.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createHttpApp } from '../dist/src/app/create-http-app.js';
import { benchConfig } from './support/bench-config.js';
import { createBenchDatabase, deleteRedisKeys } from './support/bench-database.js';

const { values: args } = parseArgs({
  options: {
    route: { type: 'string', default: '/v1/me' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    out: { type: 'string' },
    'log-level': { type: 'string', default: 'silent' },
  },
});
const PASSWORD = 'correct horse battery staple';
const TENANT = 'profile';
const OPERATOR_TOKEN = randomBytes(32).toString('base64url');

async function call(baseUrl, method, path, { body, token } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(new URL(path, baseUrl), { method, headers, body: body && JSON.stringify(body) });
  const json = await res.json().catch(() => undefined);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A member with five sessions; returns the last one's token. */
async function arrange(baseUrl) {
  const admin = { email: `admin@${TENANT}.example`, password: PASSWORD };
  await call(baseUrl, 'POST', '/v1/tenants', { token: OPERATOR_TOKEN, body: { slug: TENANT, name: 'Profile', admin } });
  const login = (email) =>
    call(baseUrl, 'POST', '/v1/auth/login', { body: { tenant: TENANT, email, password: PASSWORD } });
  const { token: adminToken } = await login(admin.email);
  const email = `member@${TENANT}.example`;
  await call(baseUrl, 'POST', '/v1/admin/users', {
    token: adminToken,
    body: { email, roles: ['member'], password: PASSWORD },
  });
  let token;
  for (let i = 0; i < 5; i++) ({ token } = await login(email));
  return token;
}

/** Self time per package: a node_modules package, a Stepguard slice (dist/src/<slice>) or a Node internal. */
function selfTimeByPackage(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const { url, functionName } = byId.get(id).callFrame;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    const slice = /\/dist\/(src\/[^/]+)/.exec(url)?.[1];
    const key =
      pkg ?? (slice ? `stepguard ${slice}` : url.startsWith('node:') ? url.split('/')[0] : `(${functionName || url})`);
    totals.set(key, (totals.get(key) ?? 0) + delta);
    all += delta;
  });
  return [...totals].sort((a, b) => b[1] - a[1]).map(([key, us]) => ({ key, share: us / all }));
}

async function main() {
  const db = await createBenchDatabase();
  const redisPrefix = `stepguard-bench-profile-${process.pid}`;
  let app;
  try {
    const config = benchConfig({
      databaseUrl: db.url,
      redisPrefix,
      operatorToken: OPERATOR_TOKEN,
      logLevel: args['log-level'],
    });
    app = await createHttpApp(config);
    await app.listen(0, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${app.getHttpServer().address().port}`;
    const token = await arrange(baseUrl);
    const request = {
      url: new URL(args.route, baseUrl).href,
      headers: { authorization: `Bearer ${token}` },
      connections: Number(args.connections),
      workers: 1,
    };
    await autocannon({ ...request, duration: 3 });
    const inspector = new Session();
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
    const result = await autocannon({ ...request, duration: Number(args.duration) });
    const { profile } = await inspector.post('Profiler.stop');
    inspector.disconnect();
    if (result.non2xx || result.errors || result.timeouts)
      throw new Error(`${result.non2xx} non-2xx answers, ${result.errors + result.timeouts} errors/timeouts`);
    console.log(
      `GET ${args.route}, ${args.connections} connections, ${args.duration} s, ${availableParallelism()} CPUs, ` +
        `load ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}: ${result.requests.average.toFixed(0)} req/s, ` +
        `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
    );
    console.log('self time of the app thread by package:');
    for (const { key, share } of selfTimeByPackage(profile).slice(0, 20))
      console.log(`${(share * 100).toFixed(1).padStart(6)}%  ${key}`);
    if (args.out) writeFileSync(args.out, JSON.stringify(profile));
  } finally {
    await new Promise((resolve) => (app ? app.getHttpServer().close(resolve) : resolve()));
    await app?.close();
    await db.drop();
    await deleteRedisKeys(redisPrefix);
  }
}

await main();
