import { SetMetadata } from '@nestjs/common';

/**
 * Something a route needs about the signed-in user, read by the guard in the very query that
 * authenticates the request, so the hottest routes (`/v1/me`, the session list) answer after one round
 * trip. The slice owning the tables writes the SQL: an expression over the session row `s` (its
 * `tenant_id` and `user_id` are the user's) with `?` parameters, and how to read its value back.
 */
export interface PrincipalRead<T> {
  /** The column the value comes back as: unique among reads, snake case. */
  readonly alias: string;
  expression(now: Date): { sql: string; params: unknown[] };
  from(value: unknown): T;
}

export const PRINCIPAL_READS_KEY = 'stepguard:principal-reads';

/** The route's reads, done with authentication (for a signed-in user; an API key reads nothing extra). */
export const ReadsWithPrincipal = (...reads: PrincipalRead<unknown>[]) => SetMetadata(PRINCIPAL_READS_KEY, reads);

/** What the guard read for the route: its values by read. */
export type PrincipalReads = ReadonlyMap<PrincipalRead<unknown>, unknown>;

/** A read's value; the route must have declared it with `ReadsWithPrincipal`. */
export function readOf<T>(reads: PrincipalReads, read: PrincipalRead<T>): T {
  if (!reads.has(read)) throw new Error(`the route did not declare the read ${read.alias}`);
  return reads.get(read) as T;
}
