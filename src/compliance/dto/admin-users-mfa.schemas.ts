import { z } from 'zod';
import { pageQuerySchema } from '../../identity/index.js';

/** `?mfa=` of `GET /v1/admin/users`: which users to list by their standing under the policy in force. */
export const MFA_FILTERS = ['enrolled', 'not_enrolled', 'grace', 'overdue'] as const;
export type MfaFilter = (typeof MFA_FILTERS)[number];

export const adminUsersMfaQuerySchema = pageQuerySchema.extend({ mfa: z.enum(MFA_FILTERS).optional() }).strict();
export type AdminUsersMfaQuery = z.infer<typeof adminUsersMfaQuerySchema>;
