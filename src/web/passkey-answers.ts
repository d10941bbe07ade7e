import type { z } from 'zod';

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
