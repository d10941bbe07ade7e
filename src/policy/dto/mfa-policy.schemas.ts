import { z } from 'zod';
import { ROLES } from '../../common/access/roles.js';
import { authenticationResponseSchema } from '../../common/webauthn-json.js';
import { APPS } from '../../identity/index.js';
import { MFA_METHODS } from '../policy-engine.js';

const distinct = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .max(max)
    .refine((values) => new Set(values).size === values.length, 'must not repeat a value');

/**
 * The password, and unless the admin has no factor at all a current authenticator code or a passkey's
 * assertion over this session's step-up challenge (`POST /v1/auth/step-up/webauthn`).
 */
const confirmationFields = z
  .object({
    password: z.string().min(1).max(256),
    code: z.string().trim().min(1).max(32).optional(),
    credential: authenticationResponseSchema.optional(),
  })
  .strict();
const oneSecondFactor = (c: { code?: string | undefined; credential?: unknown }) =>
  c.code === undefined || c.credential === undefined;
const ONE_SECOND_FACTOR = 'give a code or a passkey assertion, not both';

export const weakeningConfirmationSchema = confirmationFields.refine(oneSecondFactor, ONE_SECOND_FACTOR);

/** `POST /v1/admin/mfa/forget-all-devices`: the confirmation itself; an empty body is refused with 401. */
export const forgetAllDevicesSchema = confirmationFields
  .partial({ password: true })
  .refine(oneSecondFactor, ONE_SECOND_FACTOR);

/**
 * A whole policy, as `PUT /v1/admin/mfa-policy` replaces it. `version`, when given, must be the version
 * in force (409 otherwise), so two admins editing at once cannot silently undo each other; the
 * read-only `updatedAt` and `updatedBy` of a policy just read are accepted and ignored.
 */
export const mfaPolicySchema = z
  .object({
    requireMfa: z.boolean(),
    requiredRoles: distinct(z.enum(ROLES), ROLES.length),
    gracePeriodDays: z.number().int().min(0).max(90),
    allowedMethods: distinct(z.enum(MFA_METHODS), MFA_METHODS.length).refine(
      (m) => m.length > 0,
      'must allow a method',
    ),
    enforceOn: distinct(z.enum(APPS), APPS.length),
    connectionPolicy: z
      .object({ totpPriorConnection: z.boolean(), biometricPriorConnection: z.boolean().optional() })
      .strict(),
    /** Absent: the version in force keeps its own (as for every setting added after v1). */
    passkeySignIn: z.boolean().optional(),
    phishingResistantRoles: distinct(z.enum(ROLES), ROLES.length).optional(),
    rememberDeviceDays: z.number().int().min(0).max(365),
    reauthMaxAgeMinutes: z.number().int().min(1).max(1440),
    /** Absent: the version in force keeps its own. Stored largest first. */
    reminderDays: distinct(z.number().int().min(1).max(90), 5)
      .transform((days) => [...days].sort((a, b) => b - a))
      .optional(),
    /** A change that lowers protection needs it: the admin's password and a current code of their app. */
    confirmation: weakeningConfirmationSchema.optional(),
    version: z.number().int().min(0).optional(),
    updatedAt: z.string().nullable().optional(),
    updatedBy: z.unknown().optional(),
  })
  .strict();

export type MfaPolicyInput = z.infer<typeof mfaPolicySchema>;

export const policyHistoryQuerySchema = z
  .object({
    before: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

export const policyVersionSchema = z.coerce.number().int().min(0).max(2_147_483_647);
