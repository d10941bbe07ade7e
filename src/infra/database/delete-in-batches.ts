import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Deletes the rows of `table` that match `where`, `batchSize` at a time, each batch its own short
 * statement (rows another transaction holds are skipped, not waited for), until a batch comes back
 * short. `table` and `where` are code, never input. Returns how many rows went.
 */
export async function deleteInBatches(
  em: Pick<EntityManager, 'execute'>,
  table: string,
  where: string,
  params: unknown[],
  batchSize: number,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const rows = await em.execute<{ id: string }[]>(
      `delete from ${table} where id in (
         select id from ${table} where ${where} limit ? for update skip locked)
       returning id`,
      [...params, batchSize],
    );
    deleted += rows.length;
    if (rows.length < batchSize) return deleted;
  }
}
