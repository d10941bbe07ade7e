// better-auth as bench/peer.bench.js runs it: 1.7.25 from npm with email and password sign-in and its
// `twoFactor` plugin, on a pg Pool. Changed from its defaults, and only these: the rate limiter is off
// (every request comes from 127.0.0.1; Stepguard's limits are opened wide likewise), telemetry is off (as
// it is by default), the logger is off when the bench's --log-level is silent, and password hashing is
// argon2id with Stepguard's parameters instead of scrypt, so a sign-in costs the same hash on both sides.
// Sessions are its default: a row in PostgreSQL, read on every request; its cookie cache is off by default
// and stays off. The server (better-auth-server.js) and the migration (in the parent) use the same options.
import argon2 from 'argon2';
import { twoFactor } from 'better-auth/plugins';

/** Stepguard's argon2id parameters (OWASP's baseline), from src/common/crypto/password-hasher.ts. */
const ARGON2 = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function betterAuthOptions({ baseURL, secret, database, logLevel }) {
  return {
    baseURL,
    secret,
    database,
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
}
