import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';

/**
 * A pin on the SHA-256 of the server certificate's SubjectPublicKeyInfo (as HPKP's pin-sha256 and curl's
 * --pinnedpubkey), not of the whole certificate: a SIEM renewing its certificate on the same key keeps its
 * pin. Written as base64 (`sha256//` prefix allowed, as curl writes it) or hex (colons allowed), e.g.
 * `openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`.
 */
export function parseSpkiPin(pin: string): Buffer {
  const text = pin.trim().replace(/^sha256\/\//i, '');
  const hex = text.replace(/:/g, '');
  const digest = /^[0-9a-f]{64}$/i.test(hex) ? Buffer.from(hex, 'hex') : Buffer.from(text, 'base64');
  if (digest.length !== 32 || (!/^[0-9a-f]{64}$/i.test(hex) && digest.toString('base64') !== text)) {
    throw new Error('the pinned fingerprint is not a SHA-256 digest in base64 or hex');
  }
  return digest;
}

/**
 * The pin of a DER certificate (Node's `PeerCertificate.raw`). Not `PeerCertificate.pubkey`: for an EC key
 * that is the bare curve point, not the SubjectPublicKeyInfo that openssl and curl hash.
 */
export function spkiPinOf(certificateDer: Buffer): Buffer {
  const spki = new X509Certificate(certificateDer).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest();
}

export function pinMatches(pinned: Buffer, certificateDer: Buffer): boolean {
  return timingSafeEqual(pinned, spkiPinOf(certificateDer));
}
