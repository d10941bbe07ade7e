import { generateSync } from 'otplib';
import type { Clock, ManualClock } from '../../src/common/clock.js';
import { aUser, PASSWORD, type TenantFixture } from './builders.js';
import type { HttpClient } from './http.js';

/** A code for the step `offset` steps from the clock's, computed by otplib alone (an independent oracle). */
export function totpCodeAt(secret: string, clock: Clock, offset = 0): string {
  const step = Math.floor(clock.now().getTime() / 30_000) + offset;
  return generateSync({ strategy: 'hotp', secret, counter: step });
}

export interface TotpEnrolment {
  factorId: string;
  secret: string;
  otpauthUri: string;
  qrCodeDataUrl: string;
}

/** Starts a TOTP enrolment through the API (201 expected). */
export async function enrolTotp(http: HttpClient, token: string, body: object = {}): Promise<TotpEnrolment> {
  const res = await http.post('/v1/me/factors/totp', body, token);
  if (res.status !== 201) throw new Error(`enrol failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export function verifyFactor(http: HttpClient, token: string, factorId: string, code: string) {
  return http.post(`/v1/me/factors/${factorId}/verify`, { code }, token);
}

/**
 * A user of the tenant with an active authenticator app (enrolled and verified through the API);
 * the clock is then moved one step on, so the step used to enrol is not the next code's.
 */
export async function aUserWithTotp(http: HttpClient, tenant: TenantFixture, clock: ManualClock) {
  const user = await aUser(http, tenant);
  return { ...user, ...(await addAuthenticator(http, user.token, clock)) };
}

/**
 * Gives the session's user an active authenticator app (enrolled and verified through the API), then moves
 * the clock a step on. The first factor raises the session to aal 2, which gives it a new token.
 */
export async function addAuthenticator(http: HttpClient, token: string, clock: ManualClock) {
  const { factorId, secret } = await enrolTotp(http, token);
  const verified = await verifyFactor(http, token, factorId, totpCodeAt(secret, clock));
  if (verified.status !== 200) throw new Error(`factor verification failed: ${verified.status}`);
  clock.advance(30_000);
  return { token: verified.body.token as string, factorId, secret };
}

/**
 * Signs the user in with their password and a TOTP code at the challenge: a session whose factor check
 * is fresh (what adding another factor or stepping up a sensitive change needs). Moves the clock a step on.
 */
export async function signInWithTotp(
  http: HttpClient,
  tenant: TenantFixture,
  user: { email: string; secret: string },
  clock: ManualClock,
): Promise<string> {
  const login = await http.post('/v1/auth/login', { tenant: tenant.slug, email: user.email, password: PASSWORD });
  if (login.body.status !== 'mfa_required') throw new Error(`no challenge: ${JSON.stringify(login.body)}`);
  const verified = await http.post(`/v1/auth/challenges/${login.body.challengeId}/verify`, {
    method: 'totp',
    code: totpCodeAt(user.secret, clock),
  });
  if (verified.status !== 200) throw new Error(`challenge failed: ${verified.status} ${JSON.stringify(verified.body)}`);
  clock.advance(30_000);
  return verified.body.token as string;
}
