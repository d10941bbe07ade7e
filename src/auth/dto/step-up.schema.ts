import { z } from 'zod';
import { authenticationResponseSchema } from '../../factors/index.js';

/** Any short code: a malformed one is refused exactly like a wrong one (401 mfa_code_invalid). */
export const codeAnswerSchema = z
  .object({
    method: z.enum(['totp', 'email', 'backup_code']),
    code: z.string().trim().min(1).max(32),
  })
  .strict();

/** A passkey's assertion over the challenge of `…/webauthn` (options from the server, signed by the browser). */
export const passkeyAnswerSchema = z
  .object({ method: z.literal('webauthn'), credential: authenticationResponseSchema })
  .strict();

export const stepUpSchema = z.discriminatedUnion('method', [codeAnswerSchema, passkeyAnswerSchema]);
