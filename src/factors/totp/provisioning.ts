import { ScureBase32Plugin } from 'otplib';
import QRCode from 'qrcode';
import { TOTP_DIGITS, TOTP_PERIOD_SECONDS } from './totp.js';

const base32 = new ScureBase32Plugin();

/** What an authenticator app needs to add the factor, shown once at enrolment. */
export interface TotpProvisioning {
  secret: string;
  otpauthUri: string;
  qrCodeDataUrl: string;
}

/** The secret as apps take it typed in: RFC 4648 base32, no padding (160 bits is exactly 32 characters). */
export function base32Secret(secret: Uint8Array): string {
  return base32.encode(secret, { padding: false });
}

/**
 * The Key URI Format: `otpauth://totp/<issuer>:<account>?secret=…&issuer=…`. Issuer and account are
 * each encodeURIComponent-ed, so a colon, `&` or `#` in a tenant name cannot shift the label's split
 * or end the query early (otplib's generateURI leaves a colon in the issuer unencoded).
 */
export function otpauthUri(input: { issuer: string; account: string; secret: string }): string {
  const issuer = encodeURIComponent(input.issuer);
  const label = `${issuer}:${encodeURIComponent(input.account)}`;
  const query = `secret=${input.secret}&issuer=${issuer}&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_PERIOD_SECONDS}`;
  return `otpauth://totp/${label}?${query}`;
}

export async function totpProvisioning(input: {
  issuer: string;
  account: string;
  secret: Uint8Array;
}): Promise<TotpProvisioning> {
  const secret = base32Secret(input.secret);
  const uri = otpauthUri({ issuer: input.issuer, account: input.account, secret });
  const qrCodeDataUrl = await QRCode.toDataURL(uri, { type: 'image/png' });
  return { secret, otpauthUri: uri, qrCodeDataUrl };
}
