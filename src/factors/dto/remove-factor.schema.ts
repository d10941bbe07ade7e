import { z } from 'zod';
import { authenticationResponseSchema } from '../../common/webauthn-json.js';

/**
 * Proof for removing a factor: the password, a current code, or a passkey's assertion over this session's
 * step-up challenge (`POST /v1/auth/step-up/webauthn`), exactly one. A malformed code is refused like a
 * wrong one (401 mfa_code_invalid), so only its length is checked here.
 */
export const removeFactorSchema = z
  .object({
    password: z.string().min(1).max(256).optional(),
    code: z.string().trim().min(1).max(32).optional(),
    credential: authenticationResponseSchema.optional(),
  })
  .strict()
  .refine((b) => [b.password, b.code, b.credential].filter((given) => given !== undefined).length === 1, {
    message: 'give one of: your password, a current code, a passkey assertion',
  });

export type RemovalProofInput = z.infer<typeof removeFactorSchema>;
