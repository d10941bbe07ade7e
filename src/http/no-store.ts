import type { NextFunction, Request, Response } from 'express';

/**
 * Every `/v1` answer is marked not to be stored by browsers, proxies or CDNs, errors included: the API
 * hands out session tokens, TOTP secrets and QR codes, backup codes, API keys and device tokens, and a
 * per-route opt-in would leave the next such route cacheable by default. `Pragma` for HTTP/1.0 caches.
 */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  next();
}
