import { z } from 'zod';

export const enrollTotpSchema = z.object({ label: z.string().trim().min(1).max(64).optional() }).strict();

/** Any short string: a malformed code is refused exactly like a wrong one (401 mfa_code_invalid). */
export const verifyFactorSchema = z.object({ code: z.string().min(1).max(32) }).strict();

export const factorIdSchema = z.uuid();
