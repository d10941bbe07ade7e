/**
 * The WebAuthn user handle of a user: their id's 16 bytes. Opaque (no e-mail, no tenant name), and what a
 * discoverable credential hands back at a passwordless sign-in, checked against the credential's owner.
 */
export const userHandleOf = (userId: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(Buffer.from(userId.replace(/-/g, ''), 'hex'));

export const userHandleText = (userId: string): string => Buffer.from(userHandleOf(userId)).toString('base64url');
