import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityClass, EntityData, FilterQuery } from '@mikro-orm/core';

/** `lastUsedAt` of a key is written at most this often, so a busy key does not write on every request. */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;

/** Records that a key (an API key, an app key) was just used, at most once a minute. */
export async function recordUse<T extends { id: string; lastUsedAt: Date | null }>(
  em: EntityManager,
  entity: EntityClass<T>,
  row: T,
  now: Date,
): Promise<void> {
  if (row.lastUsedAt && now.getTime() - row.lastUsedAt.getTime() < LAST_USED_WRITE_INTERVAL_MS) return;
  await em.nativeUpdate(entity, { id: row.id } as FilterQuery<T>, { lastUsedAt: now } as unknown as EntityData<T>);
}
