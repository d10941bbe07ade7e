import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { RequestMeta } from '../common/actor.js';
import { AppConfig } from '../common/app-config.js';
import { actorOf, type Principal } from '../common/access/principal.js';
import { DomainError } from '../common/errors/domain-error.js';
import { clientNetworkOf } from '../common/client-network.js';
import { isOwnOrigin, originOf } from '../http/own-origin.js';
import { AccessRefusals } from '../auth/index.js';
import { FormTokens } from './form-tokens.js';

type PageRequest = Request & { principal?: Principal; meta?: RequestMeta };

/**
 * Every state-changing page request must come from one of our own pages: its `Origin` (or, without one, its
 * `Referer`) is this server, and it carries the form token of its session. SameSite=Lax already keeps
 * other sites' POSTs from carrying the cookie; this holds even for a browser that ignores SameSite.
 */
@Injectable()
export class FormGuard implements CanActivate {
  constructor(
    private readonly config: AppConfig,
    private readonly tokens: FormTokens,
    private readonly refusals: AccessRefusals,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<PageRequest>();
    if (req.method === 'GET' || req.method === 'HEAD') return true;
    const principal = req.principal?.kind === 'user' ? req.principal : null;
    if (this.sameOrigin(req) && this.tokens.verify(req, principal?.session.id ?? null)) return true;
    const meta = req.meta ?? { ip: req.ip ?? null, userAgent: null, location: null };
    await this.refusals.record({
      tenantId: principal?.tenantId ?? null,
      actor: principal ? actorOf(principal) : { type: 'anonymous', id: null },
      reason: 'form_forgery',
      caller: principal?.session.id ?? (meta.ip ? clientNetworkOf(meta.ip) : 'unknown'),
      resource: `${req.method} ${String((req.route as { path?: string } | undefined)?.path ?? req.path).slice(0, 200)}`,
      request: meta,
    });
    throw new DomainError('form_rejected', 'The form was not sent from this site or has expired');
  }

  private sameOrigin(req: Request): boolean {
    const referer = req.get('referer');
    const claimed = req.get('origin') ?? (referer ? originOf(referer) : undefined);
    // Some privacy settings strip both headers: the form token alone decides then.
    if (claimed === undefined) return true;
    return isOwnOrigin(claimed, this.config.publicUrl, `${req.protocol}://${req.get('host') ?? ''}`);
  }
}
