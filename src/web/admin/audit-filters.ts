import { z } from 'zod';
import type { AuditEventFilter } from '../../audit/index.js';

/** Page sizes the form offers; any size the API takes (1-500) works in a link. */
export const PAGE_SIZES = [10, 25, 50, 100] as const;
const DEFAULT_PAGE_SIZE = 50;
/** How many earlier pages the Previous link can walk back through (each is a seq in the URL). */
const TRAIL_MAX = 50;

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((v) => v || undefined)
    .optional();
/** `<input type="datetime-local">` sends `2030-04-01T09:30` (the pages show times in UTC, so it is read as UTC). */
const minute = z
  .string()
  .trim()
  .regex(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?$|^$/, 'must be a date and time')
  .transform((v) => (v ? v.slice(0, 16) : undefined))
  .optional();
const seq = z
  .string()
  .regex(/^\d{1,15}$/)
  .transform(Number)
  .optional();

/**
 * The audit page's query: the filters of `GET /v1/admin/audit` (action, actor, time range) and the target the
 * same query takes (as `GET /v1/audit-events` does), the page size, the seq cursor, and the trail of earlier
 * cursors that lets the page link back (the API pages forward only).
 */
const auditPageQuery = z.object({
  action: text(100),
  actor: text(200),
  targetType: text(100),
  targetId: text(200),
  from: minute,
  to: minute,
  limit: z.coerce.number().int().min(1).max(500).default(DEFAULT_PAGE_SIZE),
  after: seq,
  back: z
    .string()
    .regex(/^\d{1,15}(\.\d{1,15})*$/)
    .transform((v) => v.split('.').map(Number).slice(-TRAIL_MAX))
    .optional(),
});

export type AuditPageQuery = z.output<typeof auditPageQuery>;

/** The query as given, or the reason it cannot be used (shown above the filters). */
export function auditPageQueryOf(raw: unknown): { query: AuditPageQuery; error: string | null } {
  const parsed = auditPageQuery.safeParse(raw ?? {});
  if (!parsed.success) return { query: { limit: DEFAULT_PAGE_SIZE }, error: 'Some filters are not valid.' };
  const q = parsed.data;
  if (q.from && q.to && q.from > q.to) return { query: q, error: 'The start of the time range is after its end.' };
  return { query: q, error: null };
}

/** What the audit query is asked for. */
export function eventFilterOf(q: AuditPageQuery): AuditEventFilter {
  return {
    after: q.after,
    limit: q.limit,
    action: q.action,
    actorId: q.actor,
    targetType: q.targetType,
    targetId: q.targetId,
    from: q.from ? new Date(`${q.from}:00Z`) : undefined,
    to: q.to ? new Date(`${q.to}:00Z`) : undefined,
  };
}

/** The links to the next and previous pages, keeping every filter; null where there is no such page. */
export function pageLinks(q: AuditPageQuery, nextCursor: number | null) {
  const trail = q.back ?? [];
  const next = nextCursor === null ? null : linkTo(q, { after: nextCursor, back: [...trail, q.after ?? 0] });
  const previous =
    q.after === undefined ? null : linkTo(q, { after: trail.at(-1) || undefined, back: trail.slice(0, -1) });
  const first = q.after === undefined ? null : linkTo(q, { after: undefined, back: [] });
  return { next, previous, first, any: next !== null || previous !== null };
}

/** The audit page with these filters changed (a link in an entry narrows the list to its actor or target). */
export function linkTo(q: AuditPageQuery, change: Partial<Omit<AuditPageQuery, 'back'>> & { back?: number[] }) {
  const merged = { ...q, ...change };
  const params = new URLSearchParams();
  for (const key of ['action', 'actor', 'targetType', 'targetId', 'from', 'to'] as const) {
    const value = merged[key];
    if (value !== undefined) params.set(key, value);
  }
  if (merged.limit !== DEFAULT_PAGE_SIZE) params.set('limit', String(merged.limit));
  if (merged.after !== undefined) params.set('after', String(merged.after));
  if (merged.back?.length) params.set('back', merged.back.join('.'));
  const search = params.toString();
  return search ? `/admin/audit?${search}` : '/admin/audit';
}

/** The filter form's fields as entered, and the page sizes with the current one selected. */
export function filterFields(q: AuditPageQuery) {
  const sizes: number[] = PAGE_SIZES.includes(q.limit as never) ? [...PAGE_SIZES] : [...PAGE_SIZES, q.limit];
  return {
    action: q.action ?? '',
    actor: q.actor ?? '',
    targetType: q.targetType ?? '',
    targetId: q.targetId ?? '',
    from: q.from ?? '',
    to: q.to ?? '',
    sizes: sizes.sort((a, b) => a - b).map((n) => ({ n, selected: n === q.limit })),
    filtered: [q.action, q.actor, q.targetType, q.targetId, q.from, q.to].some((v) => v !== undefined),
  };
}
