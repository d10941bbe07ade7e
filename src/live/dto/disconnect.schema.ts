import { z } from 'zod';

/** Why the sockets are closed: shown to the client (`stepguard:step_up_required`) and kept in the audit log. */
export const disconnectSchema = z
  .object({
    reason: z
      .string()
      .trim()
      .min(1, 'must say why')
      .max(200, 'must be at most 200 characters')
      .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
  })
  .strict();
