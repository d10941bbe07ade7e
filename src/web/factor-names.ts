/** What the account pages call each kind of sign-in method. */
export const FACTOR_NAMES: Readonly<Record<string, string>> = {
  totp: 'Authenticator app',
  email: 'E-mail codes',
  webauthn: 'Passkey',
};
