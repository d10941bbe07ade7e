// better-auth as bench/peer.bench.js drives it, from the bench's own process: migrates its database with
// better-auth's own `getMigrations` (better-auth-options.js), starts the server process
// (better-auth-server.js), arranges its data through the API (sign-up, sign-in), checks the real two-factor
// sign-in path end to end, and inserts the per-request pools by SQL in the shape better-auth writes them:
// sessions to revoke, and users with a confirmed TOTP factor (secret sealed with its symmetricEncrypt under
// the server's secret) and a pending sign-in challenge, which is what its sign-in hook leaves: two
// `verification` rows and the signed `two_factor` cookie.
import { randomBytes, randomUUID } from 'node:crypto';
import { generateRandomString, makeSignature, symmetricEncrypt } from 'better-auth/crypto';
import { getMigrations } from 'better-auth/db/migration';
import { generateSync } from 'otplib';
import pg from 'pg';
import { betterAuthOptions } from './better-auth-options.js';
import { argon2Parameters, cookieHeader, expectStatus, request, SEED_BATCH } from './peer-http.js';
import { forkChild } from './socket-rpc.js';

/** The names better-auth gives its cookies over http (no __Secure- prefix) and the default prefix. */
const TWO_FACTOR_COOKIE = 'better-auth.two_factor';
const SESSION_COOKIE = 'better-auth.session_token';
/** How long its sign-in hook keeps a two-factor challenge open (twoFactorCookieMaxAge's default, 10 min). */
const CHALLENGE_TTL_MS = 600_000;

export function betterAuthSide({ databaseUrl, logLevel }) {
  const secret = randomBytes(32).toString('base64');
  const db = new pg.Client({ connectionString: databaseUrl });
  const seeded = {};
  let origin;
  /** Revoke callers: a signed-in user each, whose seeded sessions are revoked one per request. */
  let callers = [];

  const side = {
    key: 'better-auth',
    name: 'better-auth',
    async start() {
      const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
      try {
        const options = betterAuthOptions({ baseURL: 'http://127.0.0.1', secret, database: pool, logLevel });
        await (await getMigrations(options)).runMigrations();
      } finally {
        await pool.end();
      }
      side.child = forkChild(new URL('./better-auth-server.js', import.meta.url), side.name, {
        env: { NODE_ENV: 'production' },
      });
      Object.assign(side, await side.child.call('listen', { databaseUrl, secret, logLevel }, 180_000));
      // What a browser on the app's own origin sends: better-auth checks it on every cookie-carrying POST.
      origin = side.baseUrl;
      await db.connect();
    },
    async stop() {
      await side.child?.stop();
      await db.end().catch(() => undefined);
    },
    arrange,
    pool: (route, count) => (route === 'revoke' ? revokePool(count) : totpPool(count)),
    poolUsed,
  };

  const post = (path, body, cookies) => request(side.baseUrl, 'POST', path, { body, headers: { origin }, cookies });

  async function signUp(email, password) {
    const cookies = new Map();
    const body = { email, password, name: email };
    const created = await expectStatus(post('/api/auth/sign-up/email', body, cookies), 200, `sign up ${email}`);
    return { userId: created.user.id, cookies };
  }

  async function signIn(email, password, cookies = new Map()) {
    const body = await expectStatus(
      post('/api/auth/sign-in/email', { email, password }, cookies),
      200,
      `sign in ${email}`,
    );
    return { body, cookies };
  }

  /** The users behind the static routes, the revoke callers, and the real two-factor path checked. */
  async function arrange({ password, sessionsPerUser, revokeUsers }) {
    await signUp('login@bench.example', password);
    const me = await signUp('me@bench.example', password);
    // Sign-up opens the first session.
    const listed = await signUp('sessions@bench.example', password);
    for (let i = 1; i < sessionsPerUser; i++) await signIn('sessions@bench.example', password, listed.cookies);
    const sessions = await expectStatus(
      request(side.baseUrl, 'GET', '/api/auth/list-sessions', { cookies: listed.cookies }),
      200,
      'list sessions',
    );
    if (sessions.length !== sessionsPerUser)
      throw new Error(`expected ${sessionsPerUser} sessions, listed ${sessions.length}`);
    callers = [];
    for (let i = 0; i < revokeUsers; i++) callers.push(await signUp(`revoke-${i}@bench.example`, password));
    const { rows } = await db.query(`select password from account where "providerId" = 'credential' limit 1`);
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
          headers: { cookie: cookieHeader(me.cookies) },
          expect: { status: 200, contains: '"session"' },
        },
        sessions: {
          method: 'GET',
          path: '/api/auth/list-sessions',
          headers: { cookie: cookieHeader(listed.cookies) },
          expect: { status: 200, length: sessionsPerUser },
        },
        // It answers {status: true} whether or not a session was revoked: the pool check counts them.
        revoke: { expect: { status: 200, contains: '"status":true' } },
        totp: { expect: { status: 200, contains: '"token"' } },
      },
    };
  }

  /**
   * A user enables TOTP and confirms it, signs in (a two-factor challenge, no session), answers it with
   * the current code (a session), and the spent challenge is refused. Then the same code at a fresh
   * challenge: better-auth keeps no record of used time steps, so it is accepted, which is reported.
   */
  async function twoFactorSmoke(password) {
    const email = 'totp-smoke@bench.example';
    const user = await signUp(email, password);
    const enabled = await expectStatus(post('/api/auth/two-factor/enable', { password }, user.cookies), 200, 'enable');
    const code = () => generateSync({ secret: new URL(enabled.totpURI).searchParams.get('secret') });
    await expectStatus(post('/api/auth/two-factor/verify-totp', { code: code() }, user.cookies), 200, 'confirm TOTP');
    const challenge = await signIn(email, password);
    if (!challenge.body.twoFactorRedirect) throw new Error(`sign-in of a 2FA user: ${JSON.stringify(challenge.body)}`);
    if (!challenge.cookies.has(TWO_FACTOR_COOKIE)) throw new Error(`no ${TWO_FACTOR_COOKIE} cookie after sign-in`);
    const spent = new Map(challenge.cookies);
    const answer = post('/api/auth/two-factor/verify-totp', { code: code() }, challenge.cookies);
    await expectStatus(answer, 200, 'answer the challenge');
    if (!challenge.cookies.has(SESSION_COOKIE)) throw new Error('verify-totp set no session cookie');
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

  /** `count` sessions of the callers (round robin), each revoked by one request with its owner's cookie. */
  async function revokePool(count) {
    const now = new Date();
    const expires = new Date(now.getTime() + 7 * 86_400_000);
    const rows = Array.from({ length: count }, (_, i) => ({
      id: randomUUID(),
      token: generateRandomString(32),
      caller: callers[i % callers.length],
    }));
    for (let i = 0; i < rows.length; i += SEED_BATCH) {
      const batch = rows.slice(i, i + SEED_BATCH);
      await db.query(
        `insert into "session" (id, "expiresAt", token, "createdAt", "updatedAt", "ipAddress", "userAgent", "userId")
         select id, $1, token, $2, $2, '127.0.0.1', 'peer-bench', "userId"
         from unnest($3::text[], $4::text[], $5::text[]) as t(id, token, "userId")`,
        [expires, now, batch.map((r) => r.id), batch.map((r) => r.token), batch.map((r) => r.caller.userId)],
      );
    }
    seeded.revoke = rows.map((r) => r.token);
    const cookies = new Map(callers.map((c) => [c, cookieHeader(c.cookies)]));
    return rows.map((r) => ({
      method: 'POST',
      path: '/api/auth/revoke-session',
      headers: { origin, cookie: cookies.get(r.caller), 'content-type': 'application/json' },
      body: JSON.stringify({ token: r.token }),
    }));
  }

  /**
   * `count` users with a confirmed TOTP factor, each with a pending sign-in challenge as the sign-in hook
   * leaves it: `2fa-<id>` → the user's id and `2fa-attempts-2fa-<id>` → "0", and the `two_factor` cookie
   * carrying `2fa-<id>` signed with the secret (HMAC-SHA256, as better-call signs cookies).
   */
  async function totpPool(count) {
    const now = new Date();
    const expires = new Date(now.getTime() + CHALLENGE_TTL_MS);
    const backupCodes = await symmetricEncrypt({ key: secret, data: JSON.stringify([]) });
    const rows = [];
    for (let i = 0; i < count; i++) {
      const totpSecret = generateRandomString(32);
      const identifier = `2fa-${generateRandomString(20)}`;
      const signed = `${identifier}.${await makeSignature(identifier, secret)}`;
      rows.push({
        userId: randomUUID(),
        totpSecret,
        sealed: await symmetricEncrypt({ key: secret, data: totpSecret }),
        identifier,
        cookie: `${TWO_FACTOR_COOKIE}=${encodeURIComponent(signed)}`,
      });
    }
    for (let i = 0; i < rows.length; i += SEED_BATCH) {
      const batch = rows.slice(i, i + SEED_BATCH);
      const col = (f) => batch.map(f);
      await db.query('begin');
      await db.query(
        `insert into "user" (id, name, email, "emailVerified", "createdAt", "updatedAt", "twoFactorEnabled")
         select id, 'totp', 'totp-' || id || '@bench.example', false, $1, $1, true from unnest($2::text[]) as t(id)`,
        [now, col((r) => r.userId)],
      );
      await db.query(
        `insert into "twoFactor" (id, secret, "backupCodes", "userId", verified, "failedVerificationCount")
         select gen_random_uuid()::text, secret, $1, "userId", true, 0
         from unnest($2::text[], $3::text[]) as t(secret, "userId")`,
        [backupCodes, col((r) => r.sealed), col((r) => r.userId)],
      );
      await db.query(
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
      await db.query('commit');
    }
    seeded.totp = rows.map((r) => r.identifier);
    return rows.map((r) => ({
      method: 'POST',
      path: '/api/auth/two-factor/verify-totp',
      headers: { origin, cookie: r.cookie, 'content-type': 'application/json' },
      // The code is the current one when the request is built; better-auth uses the secret's UTF-8 bytes.
      body: {},
      secret: Buffer.from(r.totpSecret, 'utf8'),
    }));
  }

  /** How many of the last pool's items were used up: sessions deleted, challenges consumed. */
  async function poolUsed(route) {
    const sql = {
      revoke: `select count(*)::int as n from "session" where token = any($1)`,
      totp: `select count(*)::int as n from verification where identifier = any($1)`,
    }[route];
    const { rows } = await db.query(sql, [seeded[route]]);
    return seeded[route].length - rows[0].n;
  }

  return side;
}
