import { z } from 'zod';

export const loginSchema = z
  .object({
    tenant: z.string().trim().min(1).max(63),
    email: z.string().trim().min(1).max(254),
    password: z.string().min(1).max(256),
    /** A registered app's key (also accepted as the X-Stepguard-App-Key header): binds the session to the app. */
    appKey: z.string().min(1).max(128).optional(),
    /** A remembered device's token (also accepted as the X-Stepguard-Device header or the sg_device cookie). */
    deviceToken: z.string().max(128).optional(),
  })
  .strict();
