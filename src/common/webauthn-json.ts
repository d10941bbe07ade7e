import { z } from 'zod';

/* The JSON encoding of WebAuthn credentials (W3C WebAuthn L3 `toJSON()`, as @simplewebauthn/browser sends them): shapes only, checked by the ceremonies. */

const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url');

/** What every public-key credential carries besides its `response`. */
const credential = <R extends z.ZodType>(response: R) =>
  z
    .object({
      id: base64url(1024),
      rawId: base64url(1024),
      type: z.literal('public-key'),
      response,
      authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
      clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
    })
    .passthrough();

/** What `navigator.credentials.create()` returned, as @simplewebauthn/browser's `startRegistration()` encodes it. */
export const registrationResponseSchema = credential(
  z
    .object({
      clientDataJSON: base64url(4096),
      attestationObject: base64url(16_384),
      transports: z.array(z.string().max(32)).max(8).optional(),
      authenticatorData: base64url(16_384).optional(),
      publicKey: base64url(4096).optional(),
      publicKeyAlgorithm: z.number().int().optional(),
    })
    .passthrough(),
);

/** What `navigator.credentials.get()` returned, as `startAuthentication()` encodes it. */
export const authenticationResponseSchema = credential(
  z
    .object({
      clientDataJSON: base64url(4096),
      authenticatorData: base64url(4096),
      // ML-DSA-44 (post-quantum) signatures are 2,420 bytes.
      signature: base64url(8192),
      userHandle: base64url(128).optional(),
    })
    .passthrough(),
);

export type RegistrationResponse = z.infer<typeof registrationResponseSchema>;
export type AuthenticationResponse = z.infer<typeof authenticationResponseSchema>;
