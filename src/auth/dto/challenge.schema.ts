import { z } from 'zod';
import { codeAnswerSchema, passkeyAnswerSchema } from './step-up.schema.js';

/** A second factor for a login challenge, and whether to remember this device. */
export const verifyChallengeSchema = z.discriminatedUnion('method', [
  codeAnswerSchema.extend({ rememberDevice: z.boolean().optional() }).strict(),
  passkeyAnswerSchema.extend({ rememberDevice: z.boolean().optional() }).strict(),
]);
