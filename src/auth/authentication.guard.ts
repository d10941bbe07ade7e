import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { RequestMeta } from '../common/actor.js';
import { AppConfig } from '../common/app-config.js';
import { clientNetworkOf } from '../common/client-network.js';
import { constantTimeEqual } from '../common/crypto/tokens.js';
import { DomainError, forbidden, unauthorized } from '../common/errors/domain-error.js';
import { requestMetaOf } from '../http/request-meta.js';
import { ApiKeysService } from '../identity/index.js';
import { permissionsOf } from '../common/access/roles.js';
import { type Session, SessionsService } from '../sessions/index.js';
import { AccessRefusals } from './access-refusals.js';
import {
  type Access,
  ACCESS_KEY,
  ENROLLMENT_ALLOWED_KEY,
  PAGE_KEY,
  STEP_UP_ALLOWED_KEY,
} from '../common/access/access.decorators.js';
import { sessionCookieToken } from '../http/session-cookie.js';
import type { AccessDenial } from './events/access-denied.event.js';
import { type PrincipalRead, PRINCIPAL_READS_KEY } from '../common/access/principal-read.js';
import { actorOf, hasPermission, type Principal, type TenantPrincipal } from '../common/access/principal.js';

type GuardedRequest = Request & { principal?: Principal<Session>; meta?: RequestMeta };

/** The global guard: every route needs a signed-in caller unless it says `@Public()`. */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeysService,
    private readonly refusals: AccessRefusals,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<GuardedRequest>();
    const meta = requestMetaOf(req, this.config.env.TRUSTED_PROXY_LOCATION_HEADER);
    req.meta = meta;
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]) ?? {
      kind: 'user',
    };
    if (access.kind === 'public') return true;
    const token = bearerToken(req) ?? (this.marked(ctx, PAGE_KEY) ? this.pageToken(req) : null);
    if (access.kind === 'operator') {
      const expected = this.config.env.STEPGUARD_OPERATOR_TOKEN;
      if (!token || !expected || !constantTimeEqual(token, expected)) {
        await this.refusals.record({
          tenantId: null,
          actor: { type: 'anonymous', id: null },
          reason: 'operator_token',
          caller: meta.ip ? clientNetworkOf(meta.ip) : 'unknown',
          resource: resourceOf(req),
          request: meta,
        });
        throw unauthorized();
      }
      req.principal = { kind: 'operator' };
      return true;
    }
    const reads = this.reflector.get<PrincipalRead<unknown>[] | undefined>(PRINCIPAL_READS_KEY, ctx.getHandler());
    const principal = token ? await this.resolve(token, reads ?? []) : null;
    if (!principal) {
      // Counted, not audited: a bad token names nobody, and anyone can send a million of them.
      if (token) this.refusals.counted(null, 'bad_token');
      throw unauthorized();
    }
    const refusal = this.refusalOf(ctx, access, principal);
    if (refusal) {
      await this.refusals.record({
        tenantId: principal.tenantId,
        actor: actorOf(principal),
        reason: refusal.reason,
        caller: principal.kind === 'user' ? principal.session.id : principal.apiKeyId,
        resource: resourceOf(req),
        request: meta,
      });
      throw refusal.error;
    }
    req.principal = principal;
    return true;
  }

  /** Why this principal may not call this route, or null when it may. */
  private refusalOf(
    ctx: ExecutionContext,
    access: Access,
    principal: TenantPrincipal<Session>,
  ): { reason: AccessDenial; error: DomainError } | null {
    const refused = (reason: AccessDenial, error: DomainError) => ({ reason, error });
    if (access.kind === 'user' && principal.kind !== 'user') {
      return refused('forbidden', forbidden('This route is for signed-in users'));
    }
    if (access.kind === 'permission') {
      if (principal.kind === 'api_key' && !access.apiKeys) {
        return refused('forbidden', forbidden('API keys cannot call this route'));
      }
      const needed = principal.kind === 'api_key' ? (access.apiKeyScope ?? access.permission) : access.permission;
      if (!hasPermission(principal, needed)) return refused('forbidden', forbidden());
    }
    if (principal.kind !== 'user') return null;
    const { session } = principal;
    // A flagged session may be a thief's: until a factor is verified again it may only step up, say who
    // it is and sign out (invariant 8), whatever else its permissions allow.
    if (session.stepUpRequiredAt && !this.marked(ctx, STEP_UP_ALLOWED_KEY)) {
      return refused(
        'step_up_required',
        new DomainError('step_up_required', 'Verify a factor (POST /v1/auth/step-up) to continue'),
      );
    }
    if (session.enrollmentOnly && !this.marked(ctx, ENROLLMENT_ALLOWED_KEY)) {
      // The denial rides along (never sent) so that the pages can take the user to the set-up page.
      const error = new DomainError('forbidden', 'This session may only enrol a second factor: enrol one to continue', {
        debug: { denial: 'enrollment_only' },
      });
      return refused('enrollment_only', error);
    }
    // The admin API is the console: a session opened through a client app was held to the client's
    // rules only, so it cannot carry an admin into the console.
    if (access.kind === 'permission' && session.app === 'client') {
      return refused(
        'wrong_app',
        new DomainError('wrong_app', 'This session was opened through a client app: sign in to the console'),
      );
    }
    return null;
  }

  private pageToken(req: Request): string | null {
    return sessionCookieToken(req, this.config.publicUrl);
  }

  private marked(ctx: ExecutionContext, key: string): boolean {
    return this.reflector.getAllAndOverride<boolean>(key, [ctx.getHandler(), ctx.getClass()]) === true;
  }

  private async resolve(
    token: string,
    reads: readonly PrincipalRead<unknown>[],
  ): Promise<TenantPrincipal<Session> | null> {
    const found = await this.sessions.authenticate(token, reads);
    if (found) {
      const { session, user, tenant } = found;
      return {
        kind: 'user',
        tenantId: session.tenantId,
        userId: session.userId,
        email: user.email,
        tenant,
        roles: user.roles,
        permissions: permissionsOf(user.roles),
        session,
        reads: found.reads,
      };
    }
    const key = await this.apiKeys.authenticate(token);
    if (!key) return null;
    return { kind: 'api_key', tenantId: key.tenantId, apiKeyId: key.id, scopes: new Set(key.scopes) };
  }
}

function bearerToken(req: Request): string | null {
  const header = req.get('authorization');
  const match = header ? /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/.exec(header) : null;
  return match?.[1] ?? null;
}

/** The route asked for, as its pattern (`/v1/admin/users/:id`), so ids do not split the rate limit. */
function resourceOf(req: Request): string {
  const route = (req.route as { path?: string } | undefined)?.path ?? req.path;
  return `${req.method} ${String(route).slice(0, 200)}`;
}
