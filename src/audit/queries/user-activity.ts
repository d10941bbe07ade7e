import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { AuditEvent, type Outcome } from '../audit-event.entity.js';

/** One entry of a user's own activity: what happened, to whom, from where; never the chain's hashes. */
export interface UserActivityEntry {
  seq: number;
  occurredAt: Date;
  action: string;
  outcome: Outcome;
  /** Who did it: the user themselves, or someone else (an administrator, the system). */
  byUser: boolean;
  actorType: AuditEvent['actorType'];
  ip: string | null;
  userAgent: string | null;
}

export interface UserActivityPage {
  entries: UserActivityEntry[];
  /** The `before` of the next (older) page, or null when this is the last. */
  nextBefore: number | null;
}

/**
 * A signed-in user's own security events, newest first: the entries of their tenant's chain whose actor
 * or target is that user, nothing else (another user's events, tenant-wide ones). Keyset paging on seq
 * (`before`), one row more than asked to tell whether an older page exists. Served by the partial
 * indexes of migration 0025, so it reads the user's entries, never the tenant's whole chain.
 */
export async function userActivityOf(
  em: EntityManager,
  subject: { tenantId: string; userId: string },
  page: { before?: number | undefined; limit: number },
): Promise<UserActivityPage> {
  const { tenantId, userId } = subject;
  const where: FilterQuery<AuditEvent> = {
    chainKey: tenantId,
    tenantId,
    $or: [
      { actorType: 'user', actorId: userId },
      { targetType: 'user', targetId: userId },
    ],
  };
  if (page.before !== undefined) where.seq = { $lt: String(page.before) };
  const rows = await em.find(AuditEvent, where, { orderBy: { seq: 'desc' }, limit: page.limit + 1 });
  const entries = rows.slice(0, page.limit).map((e) => ({
    seq: Number(e.seq),
    occurredAt: e.occurredAt,
    action: e.action,
    outcome: e.outcome,
    byUser: e.actorType === 'user' && e.actorId === userId,
    actorType: e.actorType,
    ip: e.ip,
    userAgent: e.userAgent,
  }));
  return { entries, nextBefore: rows.length > page.limit ? entries.at(-1)!.seq : null };
}
