import { z } from 'zod';

const seq = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a seq (a non-negative integer)')
  .transform(Number);
const instant = z.iso.datetime({ offset: true }).transform((v) => new Date(v));

/** The cursor and filters both audit routes take. */
export const auditEventsQueryShape = {
  after: seq.optional().describe("Only events with a seq above this (the previous page's nextCursor)"),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  action: z.string().min(1).max(100).optional().describe('An event type, e.g. SessionRevoked'),
  actorId: z.string().min(1).max(200).optional(),
  from: instant.optional().describe('Events at or after this instant (ISO 8601)'),
  to: instant.optional().describe('Events before this instant (ISO 8601)'),
};

/** `GET /v1/admin/audit` query: a seq cursor, a page size and optional filters. */
export const listAuditEventsSchema = z
  .object(auditEventsQueryShape)
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be after `to`', path: ['from'] });

export type ListAuditEventsParams = z.infer<typeof listAuditEventsSchema>;
