import { z } from 'zod';
import { registrationResponseSchema } from '../../common/webauthn-json.js';

/** A factor's name, as its owner sees it: 1 to 64 characters once trimmed. */
export const factorLabelSchema = z.string().trim().min(1).max(64);

export const enrollTotpSchema = z.object({ label: factorLabelSchema.optional() }).strict();

export const renameFactorSchema = z.object({ label: factorLabelSchema }).strict();

/**
 * A code (any short string: a malformed code is refused exactly like a wrong one, 401 mfa_code_invalid), or
 * for a passkey the browser's new credential.
 */
export const verifyFactorSchema = z.union([
  z.object({ code: z.string().min(1).max(32) }).strict(),
  z.object({ credential: registrationResponseSchema }).strict(),
]);

export const factorIdSchema = z.uuid();
