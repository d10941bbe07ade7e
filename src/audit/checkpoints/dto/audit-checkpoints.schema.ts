import { z } from 'zod';
import type { AuditCheckpointView } from '../../stream/stream-item.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');

/** A signed checkpoint (`AuditCheckpointView`), as served, streamed, and read back from a file by `audit verify`. */
export const auditCheckpointViewSchema = z.object({
  number: z.number().int().positive().describe("the checkpoint's number in its chain: 1, 2, 3, … without gaps"),
  tenantId: z.uuid().nullable().describe('the tenant whose chain it covers (null on the platform chain)'),
  seq: z.number().int().min(0).describe('the last seq it covers (0 before the first event)'),
  headHash: hex64.describe('the hash of the event at `seq` (64 zeros for seq 0)'),
  time: z.iso.datetime().describe('when it was signed'),
  previous: base64url.nullable().describe("the signature of the chain's previous checkpoint (null for the first)"),
  keyId: z.string().min(1).describe('the signing key, among GET /.well-known/stepguard-audit-keys'),
  signature: base64url.describe(
    'Ed25519 over RFC 8785 canonical JSON of { tenant: tenantId, seq, headHash, time, previous }, base64url',
  ),
}) satisfies z.ZodType<AuditCheckpointView>;

export const auditCheckpointsPageSchema = z.object({
  checkpoints: z.array(auditCheckpointViewSchema),
  nextCursor: z.number().int().nullable().describe('pass as `after` for the next page; null on the last page'),
});

/** `GET /v1/audit-checkpoints` query: a checkpoint-number cursor and a page size. */
export const listAuditCheckpointsSchema = z
  .object({
    after: z
      .string()
      .regex(/^\d{1,15}$/, 'must be a checkpoint number (a non-negative integer)')
      .transform(Number)
      .optional()
      .describe("Only checkpoints numbered above this (the previous page's nextCursor)"),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export type ListAuditCheckpointsParams = z.infer<typeof listAuditCheckpointsSchema>;

export const auditKeysSchema = z.object({
  keys: z.array(
    z.object({
      keyId: z.string(),
      algorithm: z.literal('Ed25519'),
      publicKey: z
        .object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: base64url })
        .describe('RFC 8037 JSON Web Key of the raw 32-byte public key'),
    }),
  ),
});
