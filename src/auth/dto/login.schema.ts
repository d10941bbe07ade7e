import { z } from 'zod';

export const loginSchema = z
  .object({
    tenant: z.string().trim().min(1).max(63),
    email: z.string().trim().min(1).max(254),
    password: z.string().min(1).max(256),
    app: z.enum(['console', 'client']).default('client'),
  })
  .strict();
