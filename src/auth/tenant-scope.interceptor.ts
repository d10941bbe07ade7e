import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { Principal } from '../common/access/principal.js';
import { TenantScope } from '../common/tenant-scope.js';

/**
 * Runs a route called by a tenant's user or API key inside that tenant's scope (the guard has put the
 * principal on the request). Public and operator routes get no scope: they enter the tenant they
 * resolve themselves, or say they work across tenants.
 */
@Injectable()
export class TenantScopeInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const principal = ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
    if (!principal || principal.kind === 'operator') return next.handle();
    // Nest binds the handler to the async context `handle()` is called in, so the route runs in the scope.
    return TenantScope.run(principal.tenantId, () => next.handle());
  }
}
