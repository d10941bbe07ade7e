import { z } from 'zod';

/** The response of `GET /v1/admin/audit`, for the OpenAPI document. */
export const auditEventViewSchema = z.object({
  seq: z.number().int().positive(),
  id: z.uuid(),
  tenantId: z.uuid().nullable().describe('the tenant whose chain holds the event (null on the platform chain)'),
  occurredAt: z.iso.datetime(),
  action: z.string(),
  outcome: z.enum(['success', 'failure']),
  actor: z.object({ type: z.enum(['user', 'api_key', 'operator', 'system', 'anonymous']), id: z.string().nullable() }),
  target: z.object({ type: z.string(), id: z.string().nullable() }).nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string().describe('hash of the previous event (64 zeros for seq 1)'),
  hash: z.string().describe('SHA-256(prevHash ‖ RFC 8785 canonical JSON of the event); recipe in docs/audit-hash.md'),
});

export const auditEventsPageSchema = z.object({
  events: z.array(auditEventViewSchema),
  nextCursor: z.number().int().nullable().describe('pass as `after` for the next page; null on the last page'),
});
