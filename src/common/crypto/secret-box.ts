import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../app-config.js';

const FORMAT = 'v1';
const ALGORITHM = 'aes-256-gcm';
// GCM's native 96-bit nonce, drawn at random: a key can seal billions of secrets (NIST's 2^32 bound)
// before a repeated IV becomes a real risk, and rotation adds a fresh key long before that.
const IV_BYTES = 12;
// The full 128-bit tag, enforced on opening too, so a truncated tag cannot lower the forgery bar.
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A sealed secret as stored: the id of the key that sealed it, and `v1.<iv>.<tag>.<ciphertext>` (base64url). */
export interface SealedSecret {
  keyId: string;
  ciphertext: string;
}

/** A secret that cannot be opened: unknown key id, malformed, altered, or moved from another record. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

/**
 * The secret was sealed under a key id this process is not configured with: during a rolling deploy
 * that added a key, another node may already seal with it. The key id is not secret; the key is.
 */
export class EncryptionKeyUnavailableError extends SecretBoxError {
  constructor(
    readonly keyId: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * AES-256-GCM under the configured encryption keys (ARCHITECTURE invariant 6): the newest (last) key
 * seals, any configured key opens what it sealed. `context` is authenticated data naming the record
 * the secret belongs to, so a ciphertext copied into another record no longer opens.
 */
export class SecretBox {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly currentKeyId: string;

  constructor(keys: readonly EncryptionKey[]) {
    const newest = keys.at(-1);
    if (!newest) throw new SecretBoxError('no encryption keys are configured');
    if (keys.some((k) => k.key.length !== 32)) throw new SecretBoxError('every encryption key must be 32 bytes');
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
    this.currentKeyId = newest.id;
  }

  seal(plaintext: Uint8Array, context: string): SealedSecret {
    const keyId = this.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key(keyId), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(keyId, context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
    return { keyId, ciphertext: [FORMAT, ...parts].join('.') };
  }

  open(sealed: SealedSecret, context: string): Buffer {
    const [format, ...parts] = sealed.ciphertext.split('.');
    const [iv, tag, body] = parts.map(decode);
    if (format !== FORMAT || parts.length !== 3 || !isBytes(iv, IV_BYTES) || !isBytes(tag, TAG_BYTES) || !body) {
      throw new SecretBoxError(`the secret under key "${sealed.keyId}" is not in the ${FORMAT} format`);
    }
    const decipher = createDecipheriv(ALGORITHM, this.key(sealed.keyId), iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    decipher.setAAD(additionalData(sealed.keyId, context));
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new SecretBoxError(
        `the secret under key "${sealed.keyId}" does not authenticate: wrong key, altered, or moved from another record`,
      );
    }
  }

  private key(id: string): Buffer {
    const key = this.keys.get(id);
    if (key) return key;
    throw new EncryptionKeyUnavailableError(
      id,
      `no encryption key with id "${id}" is configured (STEPGUARD_ENCRYPTION_KEYS has ${[...this.keys.keys()].join(', ')}); ` +
        'remove a key only after `stepguard keys rotate` has moved every secret off it',
    );
  }
}

/** The format and key id are authenticated with the record's context, so none of them can be swapped. */
const additionalData = (keyId: string, context: string) => Buffer.from(`${FORMAT}\0${keyId}\0${context}`, 'utf8');

const decode = (part: string): Buffer | undefined =>
  BASE64URL.test(part) ? Buffer.from(part, 'base64url') : undefined;

const isBytes = (value: unknown, length: number): value is Buffer => Buffer.isBuffer(value) && value.length === length;
