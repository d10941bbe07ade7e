import { z } from 'zod';
import { APPS } from './app-kinds.js';

export const registerAppSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
    kind: z.enum(APPS),
  })
  .strict();
