import type { Request, Response } from 'express';
import type { AppConfig } from '../common/app-config.js';

export const DEVICE_COOKIE = 'sg_device';
export const DEVICE_HEADER = 'x-stepguard-device';

/** The remembered-device token a login presents: body field, header (API clients) or cookie (browsers). */
export function presentedDeviceToken(req: Request, bodyToken: string | undefined): string | undefined {
  if (bodyToken) return bodyToken;
  const header = req.get(DEVICE_HEADER);
  if (header) return header;
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === DEVICE_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** httpOnly so scripts cannot read it; SameSite=Strict so other sites cannot send it; Secure over https. */
export function setDeviceCookie(res: Response, device: { token: string; expiresAt: Date }, config: AppConfig): void {
  res.cookie(DEVICE_COOKIE, device.token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: config.publicUrl.startsWith('https:'),
    path: '/v1/auth',
    expires: device.expiresAt,
  });
}
