import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { RequestMeta } from '../common/actor.js';

/**
 * The caller's IP (express resolves X-Forwarded-For only through the configured trusted proxies),
 * user agent, and the location header a trusted proxy may add; from anyone else it is ignored.
 */
export function requestMetaOf(req: Request, locationHeader: string): RequestMeta {
  const trust = req.app.get('trust proxy fn') as ((addr: string, i: number) => boolean) | undefined;
  const peer = req.socket.remoteAddress ?? '';
  const fromTrustedProxy = Boolean(locationHeader && trust?.(peer, 0));
  const location = fromTrustedProxy ? req.get(locationHeader) : undefined;
  return {
    ip: req.ip ?? null,
    userAgent: req.get('user-agent')?.slice(0, 512) ?? null,
    location: location ? location.slice(0, 128) : null,
  };
}

/** `@ReqMeta() meta: RequestMeta` in a controller. */
export const ReqMeta = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestMeta => {
  const req = ctx.switchToHttp().getRequest<Request & { meta?: RequestMeta }>();
  return req.meta ?? requestMetaOf(req, '');
});
