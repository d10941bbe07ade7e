import { z } from 'zod';
import type { ChallengeAnswer } from '../auth/index.js';
import { authenticationResponseSchema } from '../factors/index.js';

/**
 * The browser's answer of a passkey ceremony as a form posts it (the JSON @simplewebauthn/browser
 * made, in a hidden field), checked against the API's schema; null when it is not one, which the pages
 * refuse like a wrong code.
 */
export function credentialFrom<T extends z.ZodType>(posted: unknown, schema: T): z.infer<T> | null {
  if (typeof posted !== 'string' || posted.length === 0 || posted.length > 64_000) return null;
  let json: unknown;
  try {
    json = JSON.parse(posted);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** The options for the browser, for a `data-options` attribute (the renderer escapes it). */
export const optionsJsonOf = (options: unknown): string => JSON.stringify(options);

type CodeMethod = Exclude<ChallengeAnswer['method'], 'webauthn'>;

/**
 * What a proof form posts, as the commands take it: a code of one of `methods`, or (`method=webauthn`) the
 * passkey assertion's JSON the script put in its `credential` field. Null when it is neither, which the
 * pages refuse like a wrong code. Other fields of the form (its token, `next`, `remember`) are left alone.
 */
export function postedAnswer(body: unknown, methods: readonly [CodeMethod, ...CodeMethod[]]): ChallengeAnswer | null {
  const form = z
    .union([
      z.object({ method: z.enum(methods), code: z.string().trim().min(1).max(32) }),
      z.object({ method: z.literal('webauthn'), credential: z.string().min(1) }),
    ])
    .safeParse(body);
  if (!form.success) return null;
  if (form.data.method !== 'webauthn') return { method: form.data.method, code: form.data.code };
  const credential = credentialFrom(form.data.credential, authenticationResponseSchema);
  return credential && { method: 'webauthn', credential };
}
