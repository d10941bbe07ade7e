import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';
/** The spec's bounds for a symmetric signing secret: 24 to 64 random bytes. */
const MIN_BYTES = 24;
const MAX_BYTES = 64;
/** 32 bytes: the key size of HMAC-SHA256's hash, well inside the spec's bounds. */
const GENERATED_BYTES = 32;

/** A fresh Standard Webhooks signing secret: `whsec_` and the base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `${PREFIX}${randomBytes(GENERATED_BYTES).toString('base64')}`;
}

/** The HMAC key of a `whsec_…` secret; throws a TypeError that does not repeat the secret. */
export function webhookSigningKey(secret: string): Buffer {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : '';
  const key = Buffer.from(encoded, 'base64');
  const canonical = /^[A-Za-z0-9+/]*={0,2}$/.test(encoded) && key.toString('base64') === encoded;
  if (!canonical || key.length < MIN_BYTES || key.length > MAX_BYTES) {
    throw new TypeError(`a webhook secret is ${PREFIX} and the base64 of ${MIN_BYTES} to ${MAX_BYTES} bytes`);
  }
  return key;
}

/**
 * The `webhook-signature` header of Standard Webhooks v1: for each key, `v1,` and the base64 HMAC-SHA256 of
 * `id.timestamp.body`, space-separated, so a receiver holding either the old or the new secret during a
 * rotation finds a signature it can check.
 */
export function webhookSignatures(keys: readonly Buffer[], id: string, timestamp: number, body: string): string {
  const signed = `${id}.${timestamp}.${body}`;
  return keys.map((key) => `v1,${createHmac('sha256', key).update(signed).digest('base64')}`).join(' ');
}
