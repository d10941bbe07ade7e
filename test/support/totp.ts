import { generateSync } from 'otplib';
import type { Clock } from '../../src/common/clock.js';
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
