import type { Request, Response } from 'express';
import type { AppConfig } from '../common/app-config.js';

export const DEVICE_COOKIE = 'sg_device';
export const DEVICE_HEADER = 'x-stepguard-device';

// A device token is `sgd_` + 43 base64url characters; the bound leaves room for a longer format later.
const PLAUSIBLE_TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The remembered-device token a login presents: body field, header (API clients) or cookie (browsers).
 * A header or cookie that cannot be a token (bad percent-encoding, oversized, non-ASCII) counts as
 * absent: it is attacker-controlled input on an unauthenticated route, so it must never become a 500.
 */
export function presentedDeviceToken(req: Request, bodyToken: string | undefined): string | undefined {
  if (bodyToken) return bodyToken;
  const header = req.get(DEVICE_HEADER);
  if (header) return plausible(header);
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === DEVICE_COOKIE) return plausible(decoded(value.join('=')));
  }
  return undefined;
}

function decoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

const plausible = (token: string | undefined) => (token && PLAUSIBLE_TOKEN.test(token) ? token : undefined);

/**
 * httpOnly so scripts cannot read it; SameSite=Strict so other sites cannot send it; Secure over https.
 * Sent only to the sign-in routes: the API's (`/v1/auth`) or the sign-in pages' (`/account/sign-in`).
 */
export function setDeviceCookie(
  res: Response,
  device: { token: string; expiresAt: Date },
  config: AppConfig,
  path: '/v1/auth' | '/account/sign-in' = '/v1/auth',
): void {
  res.cookie(DEVICE_COOKIE, device.token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: config.publicUrl.startsWith('https:'),
    path,
    expires: device.expiresAt,
  });
}
