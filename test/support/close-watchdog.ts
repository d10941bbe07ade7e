import type { INestApplicationContext } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import pg from 'pg';
import { ADMIN_URL } from './postgres.js';

/**
 * Closes the app; if that has not finished after `afterMs`, prints the shutdown hooks still running, what
 * the process holds open and what the test database's connections are doing: a hang says where it is.
 */
export async function watchClose(app: INestApplicationContext, database: string, afterMs = 10_000): Promise<void> {
  const pending = trackShutdownHooks(app);
  const timer = setTimeout(() => void report(database, afterMs, [...pending]), afterMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}

const HOOKS = ['onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown'] as const;

/** Wraps every provider's shutdown hooks to know which of them have started and not finished. */
function trackShutdownHooks(app: INestApplicationContext): Set<string> {
  const pending = new Set<string>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.providers.values()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      for (const hook of HOOKS) {
        const original = instance[hook];
        if (typeof original !== 'function') continue;
        const name = `${instance.constructor?.name ?? '?'}.${hook}`;
        instance[hook] = async (...args: unknown[]) => {
          pending.add(name);
          try {
            return await (original as (...a: unknown[]) => unknown).apply(instance, args);
          } finally {
            pending.delete(name);
          }
        };
      }
    }
  }
  return pending;
}

async function report(database: string, afterMs: number, hooks: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  let activity: unknown = 'unavailable';
  try {
    await client.connect();
    activity = (
      await client.query(
        `select pid, application_name, state, wait_event_type, wait_event, now() - xact_start as in_transaction, left(query, 200) as query
           from pg_stat_activity where datname = $1`,
        [database],
      )
    ).rows;
  } catch (error) {
    activity = (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
  console.error(
    `app.close() still running after ${afterMs} ms`,
    JSON.stringify({ hooks, resources: process.getActiveResourcesInfo(), activity }, null, 2),
  );
}
