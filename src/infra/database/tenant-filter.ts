import type { EntityManager, FilterDef } from '@mikro-orm/core';
import { TenantScope, TenantScopeMissingError } from '../../common/tenant-scope.js';

export const TENANT_FILTER = 'tenant';

/**
 * On by default for every entity with a `tenantId` property, so a new tenant-owned entity is covered
 * without being listed: find, findOne, count, nativeUpdate and nativeDelete get `tenantId = <scope>`
 * added to their where clause, and throw when no scope is entered (see TenantScope). Raw SQL
 * (`em.execute`) is not filtered: it carries its own tenant condition.
 */
export const tenantFilter: FilterDef = {
  name: TENANT_FILTER,
  default: true,
  // The condition reads the scope, not filter arguments: none are needed (or accepted) at the call.
  args: false,
  cond: (_args, _type, em: EntityManager, _options, entityName) => {
    const meta = entityName ? em.getMetadata().getByClassName(entityName, false) : undefined;
    if (!meta?.properties.tenantId) return {};
    const scope = TenantScope.current();
    if (!scope) throw new TenantScopeMissingError(meta.className);
    return 'tenantId' in scope ? { tenantId: scope.tenantId } : {};
  },
};
