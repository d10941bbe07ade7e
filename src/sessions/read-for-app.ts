import type { PrincipalRead } from '../common/access/principal-read.js';
import type { App } from '../identity/index.js';

/**
 * `read`, done only for sessions bound to `app`; null for every other session, which pays nothing for it:
 * PostgreSQL evaluates the subqueries of a CASE branch only for the rows that reach that branch.
 */
export function readForSessionsOf<T>(app: App, read: PrincipalRead<T>): PrincipalRead<T | null> {
  return {
    alias: `${read.alias}_if_${app}`,
    expression: (now) => {
      const { sql, params } = read.expression(now);
      return { sql: `case when s.app = ? then ${sql} end`, params: [app, ...params] };
    },
    from: (value) => (value === null || value === undefined ? null : read.from(value)),
  };
}
