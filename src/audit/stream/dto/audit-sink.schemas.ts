import { z } from 'zod';
import { AUDIT_FORMATS } from '../../formats/index.js';
import {
  FORMATS_OF,
  splunkHecSettingsSchema,
  syslogSettingsSchema,
  webhookSettingsSchema,
  type SinkKind,
} from '../sink-settings.js';

const common = {
  name: z.string().trim().min(1).max(100),
  format: z.enum(AUDIT_FORMATS).default('native'),
  /** Events per request; 1 sends single events (a webhook then posts one JSON object, not an array). */
  batchSize: z.number().int().min(1).max(1000).default(100),
  /** `beginning`: every retained event of the chain first; `now`: only events after the sink was made. */
  startAt: z.enum(['beginning', 'now']).default('beginning'),
};

const pem = z
  .string()
  .max(65_536)
  .regex(/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, 'must be a private key in PEM');

export const createAuditSinkSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('webhook'), ...common, ...webhookSettingsSchema.shape }).strict(),
    z
      .object({ kind: z.literal('syslog'), ...common, ...syslogSettingsSchema.shape, clientKey: pem.optional() })
      .strict(),
    z
      .object({
        kind: z.literal('splunk_hec'),
        ...common,
        ...splunkHecSettingsSchema.shape,
        token: z.string().trim().min(1).max(512),
      })
      .strict(),
  ])
  .superRefine(formatFitsKind)
  .superRefine((body, ctx) => {
    if (body.kind === 'syslog' && !!body.clientCert !== !!body.clientKey) {
      ctx.addIssue({ code: 'custom', path: ['clientKey'], message: 'clientCert and clientKey go together' });
    }
  });
export type CreateAuditSinkInput = z.output<typeof createAuditSinkSchema>;

/** Any field of any kind; the handler checks the result against the sink's own kind. */
export const updateAuditSinkSchema = z
  .object({
    name: common.name.optional(),
    format: z.enum(AUDIT_FORMATS).optional(),
    batchSize: common.batchSize.removeDefault().optional(),
    url: z.string().url().max(2048).optional(),
    host: z.string().optional(),
    port: z.number().int().optional(),
    ca: z.string().nullable().optional(),
    pinnedSha256: z.string().nullable().optional(),
    clientCert: z.string().nullable().optional(),
    clientKey: pem.nullable().optional(),
    servername: z.string().nullable().optional(),
    index: z.string().nullable().optional(),
    source: z.string().nullable().optional(),
    sourcetype: z.string().nullable().optional(),
    ack: z.boolean().optional(),
    token: z.string().trim().min(1).max(512).optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'name at least one field to change' });
export type UpdateAuditSinkInput = z.output<typeof updateAuditSinkSchema>;

export const replayAuditSinkSchema = z
  .object({
    fromSeq: z.number().int().min(1).optional(),
    fromTime: z.iso
      .datetime({ offset: true })
      .transform((v) => new Date(v))
      .optional(),
    /** A platform sink replays one chain: a tenant id, or `platform`. */
    chain: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((b) => (b.fromSeq === undefined) !== (b.fromTime === undefined), {
    message: 'give exactly one of fromSeq and fromTime',
  });
export type ReplayAuditSinkInput = z.output<typeof replayAuditSinkSchema>;

export const parkedEventSchema = z
  .object({ seq: z.number().int().min(1), chain: z.string().min(1).max(64).optional() })
  .strict();
export type ParkedEventInput = z.output<typeof parkedEventSchema>;

export const rotateSecretSchema = z
  .object({
    /** How long the old secret keeps signing beside the new one, so receivers can switch without a gap. */
    overlapHours: z
      .number()
      .int()
      .min(0)
      .max(24 * 30)
      .default(24),
  })
  .strict();

function formatFitsKind(body: { kind: SinkKind; format: string }, ctx: z.RefinementCtx): void {
  if (!FORMATS_OF[body.kind].includes(body.format as never)) {
    ctx.addIssue({
      code: 'custom',
      path: ['format'],
      message: `a ${body.kind} sink carries ${FORMATS_OF[body.kind].join(', ')}`,
    });
  }
}
