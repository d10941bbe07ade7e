import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../common/errors/domain-error.js';
import { TenantScope } from '../../common/tenant-scope.js';
import { AuditSink } from './audit-sink.entity.js';

/** Runs sink work in its tenant's scope, or across tenants for the platform's own sinks. */
export function inSinkScope<T>(tenantId: string | null, work: () => Promise<T>): Promise<T> {
  return tenantId === null
    ? TenantScope.acrossTenants('platform sinks belong to no tenant', work)
    : TenantScope.run(tenantId, work);
}

/**
 * The sink with this id among the caller's own: another tenant's sink, and a tenant's sink asked for by the
 * operator's platform routes, are missing (404), exactly like an id that does not exist.
 */
export async function findSink(
  em: EntityManager,
  tenantId: string | null,
  sinkId: string,
  lock = false,
): Promise<AuditSink> {
  const sink = await em.findOne(
    AuditSink,
    { id: sinkId, tenantId },
    lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
  );
  if (!sink) throw notFound('Audit sink');
  return sink;
}
