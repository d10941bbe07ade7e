import { z } from 'zod';
import { auditEventsQueryShape } from './list-audit-events.schema.js';

/**
 * `GET /v1/audit-events`: the admin list's cursor and filters, plus `type` (the action), the actor's type,
 * the target, and a format. With `Accept: application/x-ndjson` the whole range streams, `limit` then
 * capping the count (no cap when absent).
 */
export const pullAuditEventsSchema = z
  .object({
    ...auditEventsQueryShape,
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    type: z.string().min(1).max(100).optional().describe('An event type (action), e.g. SessionRevoked'),
    actorType: z.enum(['user', 'api_key', 'operator', 'system', 'anonymous']).optional(),
    targetType: z.string().min(1).max(100).optional(),
    targetId: z.string().min(1).max(200).optional(),
    format: z.enum(['native', 'ocsf', 'ecs']).default('native'),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be after `to`', path: ['from'] })
  .refine((q) => q.action === undefined || q.type === undefined, {
    message: 'give `type` or `action`, not both',
    path: ['type'],
  });

export type PullAuditEventsParams = z.output<typeof pullAuditEventsSchema>;
