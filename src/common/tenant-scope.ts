import { AsyncLocalStorage } from 'node:async_hooks';

/** Where code runs: inside one tenant, or across all of them for a stated reason. */
export type TenantScopeState = { readonly tenantId: string } | { readonly acrossTenants: string };

const storage = new AsyncLocalStorage<TenantScopeState>();

/**
 * The tenant the running work belongs to (ARCHITECTURE invariant 5). The ORM's `tenant` filter
 * (infra/database/tenant-filter.ts) adds `tenantId = <scope>` to every query on a tenant-owned entity,
 * and refuses the query when there is no scope, so a forgotten tenant condition cannot leak a row.
 *
 * Entered where the tenant becomes known: the authentication guard and the request interceptor for a
 * tenant principal, public flows once they have found the tenant (login, challenge, MFA reset link),
 * per-tenant jobs, the CLI. Work that truly spans tenants says so with `acrossTenants`. The scope
 * follows promises (AsyncLocalStorage), so event handlers run after a commit stay in their request's.
 */
export const TenantScope = {
  /** Runs `work` inside `tenantId`. A scope never switches to another tenant: that is a bug, refused. */
  run<T>(tenantId: string, work: () => T): T {
    const current = storage.getStore();
    if (current && 'tenantId' in current && current.tenantId !== tenantId) {
      throw new Error(`Tenant scope ${current.tenantId} cannot enter tenant ${tenantId}`);
    }
    return storage.run({ tenantId }, work);
  },

  /**
   * Runs `work` with every tenant's rows visible: sweeps, operator work, lookups by a credential that
   * names its own tenant (a token, a challenge id). `reason` is for the reader: grep `acrossTenants`.
   */
  acrossTenants<T>(reason: string, work: () => T): T {
    return storage.run({ acrossTenants: reason }, work);
  },

  current(): TenantScopeState | undefined {
    return storage.getStore();
  },
};

/** Tenant-owned rows were queried outside any tenant scope: a programming error, never the caller's. */
export class TenantScopeMissingError extends Error {
  constructor(entityName: string) {
    super(
      `${entityName} is tenant-owned and was queried outside a tenant scope: ` +
        `wrap the work in TenantScope.run(tenantId, …) or TenantScope.acrossTenants(reason, …)`,
    );
    this.name = 'TenantScopeMissingError';
  }
}
