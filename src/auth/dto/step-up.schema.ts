import { z } from 'zod';

/** Any short code: a malformed one is refused exactly like a wrong one (401 mfa_code_invalid). */
export const stepUpSchema = z
  .object({
    method: z.enum(['totp', 'email', 'backup_code']),
    code: z.string().trim().min(1).max(32),
  })
  .strict();
