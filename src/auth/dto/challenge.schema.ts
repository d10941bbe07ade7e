import { z } from 'zod';

export const verifyChallengeSchema = z
  .object({
    method: z.enum(['totp', 'email', 'backup_code']),
    code: z.string().trim().min(1).max(32),
    rememberDevice: z.boolean().optional(),
  })
  .strict();
