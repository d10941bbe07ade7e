import { z } from 'zod';

/**
 * Proof for removing a factor: the password or a current code, exactly one. A malformed code is
 * refused like a wrong one (401 mfa_code_invalid), so only its length is checked here.
 */
export const removeFactorSchema = z
  .object({
    password: z.string().min(1).max(256).optional(),
    code: z.string().trim().min(1).max(32).optional(),
  })
  .strict()
  .refine((b) => (b.password === undefined) !== (b.code === undefined), {
    message: 'give either your password or a current code',
  });

export type RemovalProofInput = z.infer<typeof removeFactorSchema>;
