import { z } from 'zod';
import { auditEventViewSchema } from '../dto/audit-events-page.schema.js';
import type { AuditEventView } from '../queries/list-audit-events.query.js';
import type { AuditCheckpointView, StreamItem } from '../stream/stream-item.js';

/**
 * Stepguard's own JSON: the event exactly as `GET /v1/admin/audit` serves it (so docs/audit-hash.md
 * recomputes its hash), or the checkpoint as `GET /v1/audit-checkpoints` serves it, each with a first
 * member `type` that tells which. Nothing renamed, nothing added but `type`: a stable contract.
 */
export type NativeItem =
  ({ type: 'audit_event' } & AuditEventView) | ({ type: 'audit_checkpoint' } & Fields<AuditCheckpointView>);
/** An interface's members as a plain object type (which, unlike the interface, is a JSON record). */
type Fields<T> = { [K in keyof T]: T[K] };

export function renderNative(item: StreamItem): NativeItem {
  return item.kind === 'event'
    ? { type: 'audit_event', ...item.event }
    : { type: 'audit_checkpoint', ...item.checkpoint };
}

const checkpointSchema = z.object({
  number: z.number().int().positive(),
  tenantId: z.uuid().nullable(),
  seq: z.number().int().nonnegative(),
  headHash: z.string(),
  time: z.iso.datetime(),
  previous: z.string().nullable(),
  keyId: z.string(),
  signature: z.string(),
});

const nativeSchema = z.discriminatedUnion('type', [
  auditEventViewSchema.extend({ type: z.literal('audit_event') }),
  checkpointSchema.extend({ type: z.literal('audit_checkpoint') }),
]);

/**
 * A native rendering read back (a receiver's side, the tests'): members it does not know are left out
 * (a later version may add some); throws on anything that is not a native item.
 */
export function parseNative(value: unknown): StreamItem {
  const { type, ...rest } = nativeSchema.parse(value);
  return type === 'audit_event'
    ? { kind: 'event', event: rest as AuditEventView }
    : { kind: 'checkpoint', checkpoint: rest as AuditCheckpointView };
}
