// What does verifying a TOTP code cost through the HTTP API, next to otplib verifying the same codes raw?
//
//   npm run bench:totp        (= npm run -s build && node bench/totp-verify.bench.js)
//   npm exec -- node bench/totp-verify.bench.js [--duration 10] [--connections 4] [--warmup 2] [--users 20000]
//                                               [--raw-duration 3] [--log-level silent]
//
// HTTP: POST /v1/auth/step-up {method: 'totp', code} with a session bearer token, answered 200 when the
// code is right: session and user lookup, Redis throttles, the factor's sealed secret opened and the
// window of steps checked, then one transaction (the step accepted by a conditional UPDATE, the session
// locked and updated, an audit entry appended to the tenant's hash chain). A factor accepts each 30-second
// step once, so every request is a different user: the app boots as in login-sessions.bench.js (fresh
// database, random loopback port, throw-away Redis prefix), one tenant is made through the API, and
// --users users are inserted by SQL, each with an active TOTP factor (secret sealed by the app's own
// FactorSecrets) and a session (stored as the app's token hash). A few of them must pass a real
// step-up, and a replayed code must fail, before anything is measured. autocannon runs in a worker
// thread (bench/support/step-up-load.js) and builds each request as the next unused user with its
// current code; the warm-up's rate tops up the seed if the measured run could run out. Every measured
// response must be 200, and each 200 must have left an accepted step on a factor.
// Raw: otplib verifySync on the same secrets, one thread, the same ±1 step window (epochTolerance 30 s).
// Everything runs on this machine: PostgreSQL, Redis, the app and the load generator share its cores.
import { randomBytes, randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { generateSync, verifySync } from 'otplib';
import pg from 'pg';
import { hashToken, newOpaqueToken } from '../dist/src/common/crypto/tokens.js';
import { FactorSecrets } from '../dist/src/factors/factor-secrets.js';
import { createHttpApp } from '../dist/src/app/create-http-app.js';
import { SESSION_TOKEN_PREFIX } from '../dist/src/sessions/sessions.service.js';
import { benchConfig } from './support/bench-config.js';
import { createBenchDatabase, deleteRedisKeys } from './support/bench-database.js';
import { insertSessionRows } from './support/session-rows.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '2' },
    users: { type: 'string', default: '20000' },
    'raw-duration': { type: 'string', default: '3' },
    'log-level': { type: 'string', default: 'silent' },
  },
});
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const WARMUP = Number(args.warmup);
const RAW_DURATION = Number(args['raw-duration']);

const OPERATOR_TOKEN = randomBytes(32).toString('base64url');
const CPUS = availableParallelism();
/** More than 1% of measured responses not 200: the figures describe refusals, not verification. */
const MAX_FAILED_SHARE = 0.01;

async function call(baseUrl, path, { body, token }) {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const res = await fetch(new URL(path, baseUrl), { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

/** `count` users of `tenantId`, each with an active TOTP factor and a live session; returns their token and secret. */
async function seedUsers(db, app, config, tenantId, count) {
  const secrets = app.get(FactorSecrets);
  const now = new Date();
  const seeded = [];
  for (let offset = 0; offset < count; offset += 5000) {
    const rows = Array.from({ length: Math.min(5000, count - offset) }, () => {
      const userId = randomUUID();
      const factor = { id: randomUUID(), tenantId };
      const secret = randomBytes(20);
      secrets.seal(factor, secret);
      const token = newOpaqueToken(SESSION_TOKEN_PREFIX);
      return { userId, factor, secret, token, sessionId: randomUUID() };
    });
    const col = (f) => rows.map(f);
    await db.query('begin');
    await db.query(
      `insert into users (id, tenant_id, email, password_hash, roles, created_at, updated_at)
       select id, $1, 'totp-' || id || '@bench.example', null, array['member'], $2, $2 from unnest($3::uuid[]) as t(id)`,
      [tenantId, now, col((r) => r.userId)],
    );
    await db.query(
      `insert into factors (id, tenant_id, user_id, type, label, status, secret_key_id, secret_ciphertext,
                            last_used_step, created_at, verified_at, last_used_at)
       select id, $1, user_id, 'totp', 'Authenticator app', 'active', key_id, ciphertext, null, $2, $2, null
       from unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[]) as t(id, user_id, key_id, ciphertext)`,
      [
        tenantId,
        // Verified before the session was opened: step-up counts only factors the user had before it.
        new Date(now.getTime() - 60_000),
        col((r) => r.factor.id),
        col((r) => r.userId),
        col((r) => r.factor.secretKeyId),
        col((r) => r.factor.secretCiphertext),
      ],
    );
    // A user with a TOTP factor signed in with both; lastActiveAt is refreshed before the measured run.
    const sessions = rows.map((r) => ({ id: r.sessionId, tenantId, userId: r.userId, tokenHash: hashToken(r.token) }));
    await insertSessionRows(db, config, sessions, { amr: ['pwd', 'otp'], userAgent: 'stepguard-bench' });
    await db.query('commit');
    for (const r of rows) seeded.push({ token: r.token, secret: r.secret });
  }
  return seeded;
}

/** The real path works for seeded users, and the bench is not measuring a no-op: a replay is refused. */
async function smokeTest(baseUrl, users) {
  const refusals = new Set();
  for (const user of users) {
    const body = { method: 'totp', code: generateSync({ secret: user.secret }) };
    const res = await call(baseUrl, '/v1/auth/step-up', { token: user.token, body });
    if (res.status !== 200 || !res.body?.session?.amr?.includes('otp'))
      throw new Error(`step-up of a seeded user: expected 200, got ${res.status} ${JSON.stringify(res.body)}`);
    const replay = await call(baseUrl, '/v1/auth/step-up', { token: user.token, body });
    if (replay.status === 200) throw new Error('a replayed TOTP code was accepted: replay protection is off');
    refusals.add(`${replay.status} ${replay.body?.code ?? ''}`.trim());
  }
  return [...refusals].join(', ');
}

/** otplib verifySync, one call at a time, rotating over the seeded secrets with their current codes. */
function rawVerify(users, seconds) {
  const pool = users.slice(0, 1000).map((u) => ({ secret: u.secret, token: generateSync({ secret: u.secret }) }));
  const run = (ms) => {
    const samples = [];
    const started = performance.now();
    for (let i = 0; performance.now() - started < ms; i++) {
      const { secret, token } = pool[i % pool.length];
      const t0 = performance.now();
      const { valid } = verifySync({ secret, token, epochTolerance: 30 });
      samples.push(performance.now() - t0);
      if (!valid) throw new Error('otplib rejected a current code');
    }
    return { samples, elapsed: performance.now() - started };
  };
  run(500);
  const { samples, elapsed } = run(seconds * 1000);
  samples.sort((a, b) => a - b);
  const pct = (p) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))];
  return { rps: samples.length / (elapsed / 1000), p50: pct(50), p99: pct(99), total: samples.length };
}

/** One autocannon run in a worker thread, as the given users in order. */
function stepUpLoad(baseUrl, users, duration) {
  const workerData = { url: `${baseUrl}/v1/auth/step-up`, users, connections: CONNECTIONS, duration };
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./support/step-up-load.js', import.meta.url), { workerData });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`load worker exited with ${code}`)));
  });
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main() {
  const loadAtStart = load();
  const prefix = `sgbench-${process.pid}`;
  const database = await createBenchDatabase();
  const db = new pg.Client({ connectionString: database.url });
  let app;
  try {
    await db.connect();
    const config = benchConfig({
      databaseUrl: database.url,
      redisPrefix: prefix,
      operatorToken: OPERATOR_TOKEN,
      logLevel: args['log-level'],
    });
    app = await createHttpApp(config);
    await app.listen(0, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${app.getHttpServer().address().port}`;
    const tenant = await call(baseUrl, '/v1/tenants', {
      token: OPERATOR_TOKEN,
      body: { slug: 'bench', name: 'Bench', admin: { email: 'admin@bench.example', password: randomUUID() } },
    });
    if (tenant.status !== 201) throw new Error(`create tenant: ${tenant.status} ${JSON.stringify(tenant.body)}`);
    const tenantId = tenant.body.tenant.id;

    const seedStarted = performance.now();
    const users = await seedUsers(db, app, config, tenantId, Number(args.users));
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const replayRefusal = await smokeTest(baseUrl, users.slice(0, 3));
    let next = 3;

    console.log(
      `totp-verify: POST /v1/auth/step-up for ${DURATION} s after ${WARMUP} s warm-up, ${CONNECTIONS} connections, ` +
        `vs otplib verifySync for ${RAW_DURATION} s; node ${process.version}, ${CPUS} CPUs shared by PostgreSQL, ` +
        `Redis, the app and the load generator; load average at the start ${loadAtStart}`,
    );
    console.log(
      `seeded ${users.length} users (TOTP factor + session each) in ${seedSeconds.toFixed(1)} s; ` +
        `3 of them passed a real step-up (200) and had the same code refused as a replay (${replayRefusal})`,
    );

    const raw = rawVerify(users, RAW_DURATION);

    let warm = { built: 0, ok: 0 };
    if (WARMUP > 0) {
      warm = await stepUpLoad(baseUrl, users.slice(next), WARMUP);
      next += warm.built;
    }
    // Seed what the measured run could use at the warm-up's rate, with room to spare.
    const needed = Math.ceil((warm.rps ?? 1000) * DURATION * 2) + 10 * CONNECTIONS;
    if (users.length - next < needed) users.push(...(await seedUsers(db, app, config, tenantId, needed)));
    // Each user here steps up once: as for a user active within the last minute, no lastActiveAt write.
    await db.query('update sessions set last_active_at = $1', [new Date()]);
    const http = await stepUpLoad(baseUrl, users.slice(next), DURATION);
    next += http.built;
    const loadAtEnd = load();

    const { rows } = await db.query('select count(*)::int as n from factors where last_used_step is not null');
    const accepted = 3 + warm.ok + http.ok;

    const line = (cells) => cells.map((c, i) => String(c)[i === 0 ? 'padEnd' : 'padStart'](i === 0 ? 24 : 11)).join('');
    console.log(line(['', 'ops/s', 'p50 ms', 'p99 ms', 'ops', '200', 'other', 'errors']));
    console.log(line(['otplib verifySync', raw.rps.toFixed(0), raw.p50.toFixed(4), raw.p99.toFixed(4), raw.total]));
    const failed = http.total - http.ok;
    console.log(
      line([
        'POST /v1/auth/step-up',
        http.rps.toFixed(1),
        http.p50,
        http.p99,
        http.total,
        http.ok,
        failed,
        http.errors,
      ]),
    );
    if (failed || http.errors)
      console.log(`  status codes: ${JSON.stringify(http.statuses)}; ${http.errors} errors/timeouts`);
    console.log(
      `raw ÷ HTTP: throughput ${(raw.rps / http.rps).toFixed(0)}× (otplib on one thread vs the API on ${CPUS} CPUs), ` +
        `p99 latency ${(http.p99 / raw.p99).toFixed(0)}× (HTTP p99 ÷ otplib p99)`,
    );
    console.log(
      `users used: ${next} of ${users.length} seeded; factors with an accepted step: ${rows[0].n} ` +
        `(200 responses: ${accepted} = 3 smoke + ${warm.ok} warm-up + ${http.ok} measured)`,
    );
    // Other work on the machine skews every figure above; the load average says how much there was.
    console.log(`load average at the end: ${loadAtEnd} on ${CPUS} CPUs`);

    if (http.total === 0 || failed / http.total > MAX_FAILED_SHARE)
      throw new Error(`${failed} of ${http.total} step-ups were not 200: these figures measure refusals`);
    // More accepted steps than 200s is fine (a request in flight when autocannon stopped); fewer is not.
    if (rows[0].n < accepted)
      throw new Error(`${accepted} step-ups answered 200 but only ${rows[0].n} steps were accepted`);
    if (failed || http.errors) process.exitCode = 1;
  } finally {
    // Nest closes the database before the HTTP server: let the requests still in flight finish first.
    await new Promise((resolve) => (app ? app.getHttpServer().close(resolve) : resolve()));
    await app?.close();
    await db.end().catch(() => undefined);
    await database.drop();
    await deleteRedisKeys(prefix);
  }
}

await main();
