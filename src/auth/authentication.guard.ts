import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppConfig } from '../common/app-config.js';
import { constantTimeEqual } from '../common/crypto/tokens.js';
import { forbidden, unauthorized } from '../common/errors/domain-error.js';
import { requestMetaOf } from '../common/http/request-meta.js';
import { ApiKeysService } from '../identity/api-keys.service.js';
import { permissionsOf } from '../identity/roles.js';
import { UsersDirectory } from '../identity/users-directory.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { type Access, ACCESS_KEY, ENROLLMENT_ALLOWED_KEY } from './auth.decorators.js';
import { hasPermission, type Principal, type TenantPrincipal } from './principal.js';

/** The global guard: every route needs a signed-in caller unless it says `@Public()`. */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeysService,
    private readonly users: UsersDirectory,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal; meta?: unknown }>();
    req.meta = requestMetaOf(req, this.config.env.TRUSTED_PROXY_LOCATION_HEADER);
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]) ?? {
      kind: 'user',
    };
    if (access.kind === 'public') return true;
    const token = bearerToken(req);
    if (!token) throw unauthorized();
    if (access.kind === 'operator') {
      const expected = this.config.env.STEPGUARD_OPERATOR_TOKEN;
      if (!expected || !constantTimeEqual(token, expected)) throw unauthorized();
      req.principal = { kind: 'operator' };
      return true;
    }
    const principal = await this.resolve(token);
    if (!principal) throw unauthorized();
    if (access.kind === 'user' && principal.kind !== 'user') throw forbidden('This route is for signed-in users');
    if (access.kind === 'permission') {
      if (principal.kind === 'api_key' && !access.apiKeys) throw forbidden('API keys cannot call this route');
      const needed = principal.kind === 'api_key' ? (access.apiKeyScope ?? access.permission) : access.permission;
      if (!hasPermission(principal, needed)) throw forbidden();
    }
    if (principal.kind === 'user' && principal.session.enrollmentOnly && !this.enrollmentAllowed(ctx)) {
      throw forbidden('This session may only enrol a second factor: enrol one to continue');
    }
    req.principal = principal;
    return true;
  }

  private enrollmentAllowed(ctx: ExecutionContext): boolean {
    return (
      this.reflector.getAllAndOverride<boolean>(ENROLLMENT_ALLOWED_KEY, [ctx.getHandler(), ctx.getClass()]) === true
    );
  }

  private async resolve(token: string): Promise<TenantPrincipal | null> {
    const session = await this.sessions.authenticate(token);
    if (session) {
      const user = await this.users.findUser(session.tenantId, session.userId);
      if (!user) return null;
      return {
        kind: 'user',
        tenantId: user.tenantId,
        userId: user.id,
        roles: user.roles,
        permissions: permissionsOf(user.roles),
        session,
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
