// Stepguard as bench/peer.bench.js drives it, from the bench's own process: starts the server process
// (stepguard-server.js), arranges its data through the API (tenants by the operator token, users by the
// tenant admin, sign-ins), checks the real TOTP sign-in path end to end, and inserts the per-request pools
// by SQL in the shape the app writes them (as totp-verify.bench.js seeds its users): sessions to revoke
// (the app's token hash), and users with an active TOTP factor (secret sealed by the app's FactorSecrets
// under the server's own key) and a pending sign-in challenge bound to their password hash, as a right
// password at POST /v1/auth/login leaves it.
import { randomBytes, randomUUID } from 'node:crypto';
import { generateSync } from 'otplib';
import pg from 'pg';
import { SecretBox } from '../../dist/src/common/crypto/secret-box.js';
import { hashToken, newOpaqueToken, sha256Hex } from '../../dist/src/common/crypto/tokens.js';
import { FactorSecrets } from '../../dist/src/factors/factor-secrets.js';
import { CHALLENGE_TTL_MS } from '../../dist/src/factors/index.js';
import { SESSION_TOKEN_PREFIX } from '../../dist/src/sessions/sessions.service.js';
import { benchConfig } from './bench-config.js';
import { argon2Parameters, expectStatus, request, SEED_BATCH } from './peer-http.js';
import { insertSessionRows } from './session-rows.js';
import { forkChild } from './socket-rpc.js';

export function stepguardSide({ databaseUrl, redisPrefix, logLevel }) {
  const operatorToken = randomBytes(32).toString('base64url');
  // The server seals with this key and the seeded factors are sealed with it here.
  const env = { STEPGUARD_ENCRYPTION_KEYS: `bench1:${randomBytes(32).toString('base64')}` };
  const config = benchConfig({ databaseUrl, redisPrefix, operatorToken, logLevel, env });
  const secrets = new FactorSecrets(new SecretBox(config.encryptionKeys));
  const db = new pg.Client({ connectionString: databaseUrl });
  const seeded = {};
  let password;
  /** The tenant of the static routes and the TOTP pool (the first one made). */
  let mainTenant;
  /** Revoke callers: a signed-in user each, whose seeded sessions are revoked one per request. */
  let callers = [];
  /** The seeded TOTP users' password hash (a real one, from a user made through the API). */
  let seededHash;

  const side = {
    key: 'stepguard',
    name: 'Stepguard',
    async start() {
      side.child = forkChild(new URL('./stepguard-server.js', import.meta.url), side.name, {
        env: { NODE_ENV: 'production' },
      });
      const listening = { databaseUrl, redisPrefix, operatorToken, logLevel, env };
      Object.assign(side, await side.child.call('listen', listening, 180_000));
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

  const call = (method, path, body, token) =>
    request(side.baseUrl, method, path, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });

  const login = async (tenant, email, what = 'login') =>
    (await expectStatus(call('POST', '/v1/auth/login', { tenant: tenant.slug, email, password }), 200, what)).token;

  async function createTenant(slug) {
    const admin = `admin@${slug}.example`;
    const created = await expectStatus(
      call('POST', '/v1/tenants', { slug, name: slug, admin: { email: admin, password } }, operatorToken),
      201,
      `create tenant ${slug}`,
    );
    const tenant = { slug, id: created.tenant.id };
    tenant.adminToken = await login(tenant, admin, 'admin login');
    return tenant;
  }

  async function createUser(tenant, email) {
    const body = { email, roles: ['member'], password };
    return (await expectStatus(call('POST', '/v1/admin/users', body, tenant.adminToken), 201, `create ${email}`)).id;
  }

  /** The users behind the static routes, the revoke callers (over `tenants` tenants), and the TOTP path checked. */
  async function arrange({ password: pw, sessionsPerUser, revokeUsers, tenants: tenantCount }) {
    password = pw;
    const tenants = [await createTenant('bench')];
    for (let i = 1; i < tenantCount; i++) tenants.push(await createTenant(`bench-${i + 1}`));
    mainTenant = tenants[0];
    for (const name of ['login', 'me', 'sessions']) await createUser(mainTenant, `${name}@bench.example`);
    const meToken = await login(mainTenant, 'me@bench.example');
    let sessionsToken;
    for (let i = 0; i < sessionsPerUser; i++) sessionsToken = await login(mainTenant, 'sessions@bench.example');
    const listed = await expectStatus(call('GET', '/v1/me/sessions', undefined, sessionsToken), 200, 'list sessions');
    if (listed.sessions.length !== sessionsPerUser)
      throw new Error(`expected ${sessionsPerUser} sessions, listed ${listed.sessions.length}`);
    const body = { tenant: mainTenant.slug, email: 'login@bench.example', password };
    const signedIn = await expectStatus(call('POST', '/v1/auth/login', body), 200, 'login');
    if (signedIn.status !== 'authenticated') throw new Error(`login answered ${signedIn.status}, not authenticated`);
    callers = [];
    for (let i = 0; i < revokeUsers; i++) {
      const tenant = tenants[i % tenants.length];
      const email = `revoke-${i}@bench.example`;
      const userId = await createUser(tenant, email);
      callers.push({ tenantId: tenant.id, userId, token: await login(tenant, email) });
    }
    const { rows } = await db.query(`select password_hash from users where email = 'login@bench.example'`);
    seededHash = rows[0].password_hash;
    return {
      hash: argon2Parameters(seededHash),
      smoke: await totpSmoke(),
      routes: {
        'sign-in': {
          method: 'POST',
          path: '/v1/auth/login',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          expect: { status: 200, contains: '"status":"authenticated"' },
        },
        me: {
          method: 'GET',
          path: '/v1/me',
          headers: { authorization: `Bearer ${meToken}` },
          expect: { status: 200, contains: '"email"' },
        },
        sessions: {
          method: 'GET',
          path: '/v1/me/sessions',
          headers: { authorization: `Bearer ${sessionsToken}` },
          expect: { status: 200, length: sessionsPerUser, key: 'sessions' },
        },
        revoke: { expect: { status: 204 } },
        totp: { expect: { status: 200, contains: '"status":"authenticated"' } },
      },
    };
  }

  /**
   * A user enrols TOTP through the API (confirmed with the previous step's code, so the current one is
   * still unused), signs in (a challenge), answers it with the current code, has the spent challenge
   * refused, and has the same code refused at a fresh challenge: a factor accepts each time step once.
   */
  async function totpSmoke() {
    const email = 'totp-smoke@bench.example';
    await createUser(mainTenant, email);
    const token = await login(mainTenant, email);
    const enrolment = await expectStatus(call('POST', '/v1/me/factors/totp', {}, token), 201, 'enrol TOTP');
    const step = Math.floor(Date.now() / 30_000);
    const previous = generateSync({ strategy: 'hotp', secret: enrolment.secret, counter: step - 1 });
    await expectStatus(
      call('POST', `/v1/me/factors/${enrolment.factorId}/verify`, { code: previous }, token),
      200,
      'confirm TOTP',
    );
    const challenge = async () => {
      const body = { tenant: mainTenant.slug, email, password };
      const res = await expectStatus(call('POST', '/v1/auth/login', body), 200, 'login of a TOTP user');
      if (res.status !== 'mfa_required') throw new Error(`login of a TOTP user: ${JSON.stringify(res)}`);
      return `/v1/auth/challenges/${res.challengeId}/verify`;
    };
    const code = generateSync({ secret: enrolment.secret });
    const first = await challenge();
    await expectStatus(call('POST', first, { method: 'totp', code }), 200, 'answer the challenge');
    const replay = await call('POST', first, { method: 'totp', code });
    if (replay.status < 400) throw new Error(`a spent challenge was accepted again (${replay.status})`);
    const sameCode = await call('POST', await challenge(), { method: 'totp', code });
    if (sameCode.status < 400) throw new Error(`a used TOTP step was accepted again (${sameCode.status})`);
    return [
      `Stepguard: a user who enrolled TOTP through the API signed in, answered the challenge (200), and the spent challenge was refused (${replay.status})`,
      `Stepguard: the same code at a new challenge of the same user answered ${sameCode.status} (${sameCode.body?.code}: each time step once per factor)`,
    ];
  }

  /** Session rows as SessionsService.open writes them (the token stored as its hash), for `owners`. */
  async function insertSessions(owners) {
    const ids = owners.map(() => randomUUID());
    for (let i = 0; i < owners.length; i += SEED_BATCH) {
      const batch = owners.slice(i, i + SEED_BATCH).map((o, k) => ({
        id: ids[i + k],
        tenantId: o.tenantId,
        userId: o.userId,
        tokenHash: hashToken(newOpaqueToken(SESSION_TOKEN_PREFIX)),
      }));
      await insertSessionRows(db, config, batch, { amr: ['pwd'], userAgent: 'peer-bench' });
    }
    return ids;
  }

  /** `count` sessions of the callers (round robin), each revoked by one request with its owner's token. */
  async function revokePool(count) {
    const owners = Array.from({ length: count }, (_, i) => callers[i % callers.length]);
    const ids = await insertSessions(owners);
    seeded.revoke = ids;
    return ids.map((id, i) => ({
      method: 'DELETE',
      path: `/v1/me/sessions/${id}`,
      headers: { authorization: `Bearer ${owners[i].token}` },
    }));
  }

  /** `count` users of the main tenant with an active TOTP factor and a pending sign-in challenge each. */
  async function totpPool(count) {
    const now = new Date();
    const rows = Array.from({ length: count }, () => {
      const factor = { id: randomUUID(), tenantId: mainTenant.id };
      const secret = randomBytes(20);
      secrets.seal(factor, secret);
      return { userId: randomUUID(), factor, secret, challengeId: randomUUID() };
    });
    for (let i = 0; i < rows.length; i += SEED_BATCH) {
      const batch = rows.slice(i, i + SEED_BATCH);
      const col = (f) => batch.map(f);
      await db.query('begin');
      await db.query(
        `insert into users (id, tenant_id, email, password_hash, roles, created_at, updated_at)
         select id, $1, 'totp-' || id || '@bench.example', $2, array['member'], $3, $3 from unnest($4::uuid[]) as t(id)`,
        [mainTenant.id, seededHash, now, col((r) => r.userId)],
      );
      await db.query(
        `insert into factors (id, tenant_id, user_id, type, label, status, secret_key_id, secret_ciphertext,
                              last_used_step, created_at, verified_at, last_used_at)
         select id, $1, user_id, 'totp', 'Authenticator app', 'active', key_id, ciphertext, null, $2, $2, null
         from unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[]) as t(id, user_id, key_id, ciphertext)`,
        [
          mainTenant.id,
          now,
          col((r) => r.factor.id),
          col((r) => r.userId),
          col((r) => r.factor.secretKeyId),
          col((r) => r.factor.secretCiphertext),
        ],
      );
      await db.query(
        `insert into mfa_challenges (id, tenant_id, user_id, methods, created_at, expires_at, password_fingerprint)
         select id, $1, user_id, array['totp'], $2, $3, $4 from unnest($5::uuid[], $6::uuid[]) as t(id, user_id)`,
        [
          mainTenant.id,
          now,
          new Date(now.getTime() + CHALLENGE_TTL_MS),
          sha256Hex(seededHash),
          col((r) => r.challengeId),
          col((r) => r.userId),
        ],
      );
      await db.query('commit');
    }
    seeded.totp = rows.map((r) => r.challengeId);
    return rows.map((r) => ({
      method: 'POST',
      path: `/v1/auth/challenges/${r.challengeId}/verify`,
      headers: { 'content-type': 'application/json' },
      // The code is the current one when the request is built.
      body: { method: 'totp' },
      secret: r.secret,
    }));
  }

  /** How many of the last pool's items were used up: sessions revoked, challenges consumed. */
  async function poolUsed(route) {
    const sql = {
      revoke: 'select count(*)::int as n from sessions where id = any($1) and revoked_at is not null',
      totp: 'select count(*)::int as n from mfa_challenges where id = any($1) and consumed_at is not null',
    }[route];
    const { rows } = await db.query(sql, [seeded[route]]);
    return rows[0].n;
  }

  return side;
}
