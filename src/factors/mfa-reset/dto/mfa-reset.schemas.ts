import { z } from 'zod';

export const openMfaResetSchema = z
  .object({ token: z.string().min(1).max(128), password: z.string().min(1).max(256) })
  .strict();
