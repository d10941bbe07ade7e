import { z } from 'zod';
import { API_KEY_SCOPES, ROLES } from '../../common/access/roles.js';

/** Long passphrases welcome; the upper bound keeps argon2 from being a denial-of-service lever. */
export const passwordSchema = z
  .string()
  .min(12, 'must be at least 12 characters')
  .max(256, 'must be at most 256 characters');
export const emailSchema = z.string().trim().max(254).pipe(z.email());
export const slugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2-63 lower-case letters, digits or dashes');
export const rolesSchema = z.array(z.enum(ROLES)).min(1).max(ROLES.length);
export const uuidSchema = z.uuid();

export const createTenantSchema = z
  .object({
    slug: slugSchema,
    name: z.string().trim().min(1).max(200),
    admin: z.object({ email: emailSchema, password: passwordSchema }).strict(),
  })
  .strict();

export const createUserSchema = z
  .object({ email: emailSchema, roles: rolesSchema, password: passwordSchema.optional() })
  .strict();

export const changeRolesSchema = z.object({ roles: rolesSchema }).strict();

export const changePasswordSchema = z
  .object({ currentPassword: z.string().min(1).max(256), newPassword: passwordSchema })
  .strict();

export const createApiKeySchema = z
  .object({ name: z.string().trim().min(1).max(100), scopes: z.array(z.enum(API_KEY_SCOPES)).min(1) })
  .strict();

export const pageQuerySchema = z
  .object({ cursor: uuidSchema.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) })
  .strict();
