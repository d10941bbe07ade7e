// The better-auth side of bench/peer.bench.js, in its own process: better-auth 1.7.25 (npm) with email and
// password sign-in and its `twoFactor` plugin, served by plain node:http through `toNodeHandler`, on a pg
// Pool (max 10, as Stepguard's DATABASE_POOL_MAX) over its own throw-away database, migrated by
// better-auth's own `getMigrations`. Changed from its defaults: the rate limiter is off (every request
// comes from 127.0.0.1; Stepguard's limits are opened wide likewise), telemetry is off (it is by default
// too), and password hashing is argon2id with Stepguard's parameters (src/common/crypto/password-hasher.ts)
// instead of scrypt, so a sign-in costs the same hash on both sides. Sessions are its default: rows in
// PostgreSQL read on every request; the cookie cache is off by default and stays off.
//
// Arranged through its API: sign-up, sign-in, and one user who enables TOTP, signs in, answers the
// challenge and has the spent challenge refused. The per-request pools of bench/peer.bench.js (sessions to
// revoke, pending TOTP challenges) are inserted by SQL in the shape better-auth itself writes: the
// challenge is the two `verification` rows and the signed `two_factor` cookie its sign-in hook creates.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import argon2 from 'argon2';
import { betterAuth } from 'better-auth';
import { generateRandomString, makeSignature, symmetricEncrypt } from 'better-auth/crypto';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { twoFactor } from 'better-auth/plugins';
import { generateSync } from 'otplib';
import pg from 'pg';
import { argon2Parameters, countDriverCalls, counters, expectStatus, memory, request, inFlight } from './peer-child.js';
import { serveCalls } from './socket-rpc.js';

countDriverCalls();

/** Stepguard's argon2id parameters (OWASP's baseline), from src/common/crypto/password-hasher.ts. */
const ARGON2 = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const BATCH = 2000;

let server;
const requests = inFlight();
let pool;
let seedDb;
let auth;
let ctx;
let baseUrl;
let origin;
/** Revoke callers: a signed-in user each, whose seeded sessions are revoked one per request. */
let callers = [];
/** What the last pool of each route seeded, for its check after the run. */
const seeded = {};

async function listen({ databaseUrl, logLevel }) {
  let handler = (req, res) => res.writeHead(503).end();
  // toNodeHandler's promise settles when better-auth is done with the request, answered or not (it skips
  // writing to a socket the client has closed).
  server = createServer(async (req, res) => {
    requests.begin();
    try {
      await handler(req, res);
    } finally {
      requests.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
  origin = baseUrl;
  pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const options = {
    baseURL: baseUrl,
    secret: randomBytes(32).toString('base64'),
    database: pool,
    emailAndPassword: {
      enabled: true,
      password: {
        hash: (password) => argon2.hash(password, ARGON2),
        verify: ({ hash, password }) => argon2.verify(hash, password),
      },
    },
    plugins: [twoFactor()],
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    logger: { disabled: logLevel === 'silent' },
  };
  const { runMigrations } = await getMigrations(options);
  await runMigrations();
  auth = betterAuth(options);
  ctx = await auth.$context;
  handler = toNodeHandler(auth);
  seedDb = new pg.Client({ connectionString: databaseUrl });
  await seedDb.connect();
  return { baseUrl, pid: process.pid };
}

const post = (path, body, cookies) => request(baseUrl, 'POST', path, { body, headers: { origin }, cookies });

async function signUp(email, password) {
  const cookies = new Map();
  const body = await expectStatus(
    post('/api/auth/sign-up/email', { email, password, name: email }, cookies),
    200,
    `sign up ${email}`,
  );
  return { userId: body.user.id, cookies };
}

async function signIn(email, password, cookies = new Map()) {
  const body = await expectStatus(
    post('/api/auth/sign-in/email', { email, password }, cookies),
    200,
    `sign in ${email}`,
  );
  return { body, cookies };
}

/** The users behind the static routes, the revoke callers, and the real two-factor path checked end to end. */
async function arrange({ password, sessionsPerUser, revokeUsers }) {
  await signUp('login@bench.example', password);
  const me = await signUp('me@bench.example', password);
  const listed = await signUp('sessions@bench.example', password);
  for (let i = 1; i < sessionsPerUser; i++) await signIn('sessions@bench.example', password, listed.cookies);
  const sessions = await expectStatus(
    request(baseUrl, 'GET', '/api/auth/list-sessions', { cookies: listed.cookies }),
    200,
    'list sessions',
  );
  if (sessions.length !== sessionsPerUser)
    throw new Error(`expected ${sessionsPerUser} sessions, listed ${sessions.length}`);
  callers = [];
  for (let i = 0; i < revokeUsers; i++) callers.push(await signUp(`revoke-${i}@bench.example`, password));
  const cookie = (c) => [...c.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  const { rows } = await seedDb.query(`select password from account where "providerId" = 'credential' limit 1`);
  return {
    hash: argon2Parameters(rows[0].password),
    smoke: await twoFactorSmoke(password),
    routes: {
      'sign-in': {
        method: 'POST',
        path: '/api/auth/sign-in/email',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'login@bench.example', password }),
        expect: { status: 200, contains: '"token"' },
      },
      // get-session answers 200 with `null` when the cookie names no session: the body is checked too.
      me: {
        method: 'GET',
        path: '/api/auth/get-session',
        headers: { cookie: cookie(me) },
        expect: { status: 200, contains: '"session"' },
      },
      sessions: {
        method: 'GET',
        path: '/api/auth/list-sessions',
        headers: { cookie: cookie(listed) },
        expect: { status: 200, length: sessionsPerUser },
      },
    },
  };
}

/**
 * A user enables TOTP and confirms it, signs in (a two-factor challenge, no session), answers it with the
 * current code (a session), and the spent challenge is refused. Then the same code at a fresh challenge:
 * better-auth keeps no record of used time steps, so it is accepted, which is reported, not failed.
 */
async function twoFactorSmoke(password) {
  const email = 'totp-smoke@bench.example';
  const user = await signUp(email, password);
  const enabled = await expectStatus(
    post('/api/auth/two-factor/enable', { password }, user.cookies),
    200,
    'enable TOTP',
  );
  const secret = new URL(enabled.totpURI).searchParams.get('secret');
  const code = () => generateSync({ secret });
  await expectStatus(post('/api/auth/two-factor/verify-totp', { code: code() }, user.cookies), 200, 'confirm TOTP');
  const challenge = await signIn(email, password);
  if (!challenge.body.twoFactorRedirect) throw new Error(`sign-in of a 2FA user: ${JSON.stringify(challenge.body)}`);
  const spent = new Map(challenge.cookies);
  await expectStatus(
    post('/api/auth/two-factor/verify-totp', { code: code() }, challenge.cookies),
    200,
    'answer the challenge',
  );
  if (!challenge.cookies.has(ctx.authCookies.sessionToken.name)) throw new Error('verify-totp set no session cookie');
  const replay = await post('/api/auth/two-factor/verify-totp', { code: code() }, spent);
  if (replay.status < 400) throw new Error(`a spent two-factor challenge was accepted again (${replay.status})`);
  const again = await signIn(email, password);
  const sameCode = await post('/api/auth/two-factor/verify-totp', { code: code() }, again.cookies);
  return [
    `better-auth: a user who enabled TOTP through the API signed in, answered the challenge (200), and the spent challenge was refused (${replay.status})`,
    `better-auth: the same code at a new challenge of the same user answered ${sameCode.status}` +
      (sameCode.status === 200 ? ' (no record of used time steps: its one-use guard is the challenge)' : ''),
  ];
}

const signedCookie = async (name, value) =>
  `${name}=${encodeURIComponent(`${value}.${await makeSignature(value, ctx.secret)}`)}`;

/** `count` sessions of the callers (round robin), each to be revoked by one request. */
async function revokePool(count) {
  const now = new Date();
  const expires = new Date(now.getTime() + 7 * 86_400_000);
  const rows = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    token: generateRandomString(32),
    caller: callers[i % callers.length],
  }));
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    await seedDb.query(
      `insert into "session" (id, "expiresAt", token, "createdAt", "updatedAt", "ipAddress", "userAgent", "userId")
       select id, $1, token, $2, $2, '127.0.0.1', 'peer-bench', "userId"
       from unnest($3::text[], $4::text[], $5::text[]) as t(id, token, "userId")`,
      [expires, now, batch.map((r) => r.id), batch.map((r) => r.token), batch.map((r) => r.caller.userId)],
    );
  }
  seeded.revoke = rows.map((r) => r.token);
  const cookie = new Map(callers.map((c) => [c, [...c.cookies].map(([n, v]) => `${n}=${v}`).join('; ')]));
  return rows.map((r) => ({
    method: 'POST',
    path: '/api/auth/revoke-session',
    headers: { origin, cookie: cookie.get(r.caller), 'content-type': 'application/json' },
    body: JSON.stringify({ token: r.token }),
  }));
}

/**
 * `count` users with a confirmed TOTP factor, each with a pending sign-in challenge as the sign-in hook
 * leaves it: `2fa-<id>` → user id and `2fa-attempts-2fa-<id>` → "0", expiring in 10 minutes, and the
 * `two_factor` cookie signed with the secret.
 */
async function totpPool(count) {
  const now = new Date();
  const expires = new Date(now.getTime() + 600_000);
  const backupCodes = await symmetricEncrypt({ key: ctx.secretConfig, data: JSON.stringify([]) });
  const cookieName = ctx.createAuthCookie('two_factor').name;
  const rows = [];
  for (let i = 0; i < count; i++) {
    const secret = generateRandomString(32);
    const identifier = `2fa-${generateRandomString(20)}`;
    rows.push({
      userId: randomUUID(),
      secret,
      sealed: await symmetricEncrypt({ key: ctx.secretConfig, data: secret }),
      identifier,
      cookie: await signedCookie(cookieName, identifier),
    });
  }
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const col = (f) => batch.map(f);
    await seedDb.query('begin');
    await seedDb.query(
      `insert into "user" (id, name, email, "emailVerified", "createdAt", "updatedAt", "twoFactorEnabled")
       select id, 'totp', 'totp-' || id || '@bench.example', false, $1, $1, true from unnest($2::text[]) as t(id)`,
      [now, col((r) => r.userId)],
    );
    await seedDb.query(
      `insert into "twoFactor" (id, secret, "backupCodes", "userId", verified, "failedVerificationCount")
       select gen_random_uuid()::text, secret, $1, "userId", true, 0 from unnest($2::text[], $3::text[]) as t(secret, "userId")`,
      [backupCodes, col((r) => r.sealed), col((r) => r.userId)],
    );
    await seedDb.query(
      `insert into verification (id, identifier, value, "expiresAt", "createdAt", "updatedAt")
       select gen_random_uuid()::text, identifier, value, $1, $2, $2
       from unnest($3::text[], $4::text[]) as t(identifier, value)`,
      [
        expires,
        now,
        [...col((r) => r.identifier), ...col((r) => `2fa-attempts-${r.identifier}`)],
        [...col((r) => r.userId), ...col(() => '0')],
      ],
    );
    await seedDb.query('commit');
  }
  seeded.totp = rows.map((r) => r.identifier);
  return rows.map((r) => ({
    method: 'POST',
    path: '/api/auth/two-factor/verify-totp',
    headers: { origin, cookie: r.cookie, 'content-type': 'application/json' },
    // The code is the current one when the request is built: the parent adds it.
    body: {},
    secret: Buffer.from(r.secret, 'utf8').toString('base64'),
  }));
}

/** How many of the last pool's items were used up: sessions deleted, challenges consumed. */
async function poolUsed(route) {
  const sql = {
    revoke: `select count(*)::int as n from "session" where token = any($1)`,
    totp: `select count(*)::int as n from verification where identifier = any($1)`,
  }[route];
  const { rows } = await seedDb.query(sql, [seeded[route]]);
  return { seeded: seeded[route].length, used: seeded[route].length - rows[0].n };
}

serveCalls({
  listen,
  arrange,
  pool: ({ route, count }) => (route === 'revoke' ? revokePool(count) : totpPool(count)),
  poolUsed: ({ route }) => poolUsed(route),
  counters: () => ({ ...counters }),
  memory,
  idle: () => requests.idle(),
  async close() {
    await requests.idle();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
    await seedDb?.end().catch(() => undefined);
    await pool?.end();
  },
});
