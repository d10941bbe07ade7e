import { Injectable } from '@nestjs/common';
import { createHmac, hkdfSync, randomInt, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../common/app-config.js';

export const EMAIL_CODE_DIGITS = 6;

/**
 * Hashes e-mailed codes with HMAC-SHA-256 under a key derived (HKDF) from the newest encryption key.
 * A plain or salted hash of 6 digits falls to an offline search of 10^6 candidates in milliseconds;
 * without the key, which is never in the database, a leaked row reveals nothing. The code's own id
 * is in the MAC, so equal codes never share a hash and a hash copied to another row does not match.
 */
@Injectable()
export class EmailCodeHasher {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly currentKeyId: string;
  private readonly decoyKey: Buffer;

  constructor(config: AppConfig) {
    this.keys = new Map(config.encryptionKeys.map((k) => [k.id, derive(k.key)]));
    this.currentKeyId = config.encryptionKeys.at(-1)!.id;
    this.decoyKey = this.keys.get(this.currentKeyId)!;
  }

  /** A fresh code: uniformly random digits from the CSPRNG. */
  generate(): string {
    return String(randomInt(0, 10 ** EMAIL_CODE_DIGITS)).padStart(EMAIL_CODE_DIGITS, '0');
  }

  hash(codeId: string, code: string): { codeHash: string; hashKeyId: string } {
    return { codeHash: mac(this.keys.get(this.currentKeyId)!, codeId, code), hashKeyId: this.currentKeyId };
  }

  /** Constant time; with no stored hash the same MAC is computed against a decoy and never matches. */
  matches(codeId: string, code: string, stored: { codeHash: string; hashKeyId: string } | null): boolean {
    const key = (stored && this.keys.get(stored.hashKeyId)) || this.decoyKey;
    const candidate = Buffer.from(mac(key, codeId, normalise(code)), 'hex');
    const expected = stored ? Buffer.from(stored.codeHash, 'hex') : Buffer.alloc(candidate.length);
    return expected.length === candidate.length && timingSafeEqual(candidate, expected) && stored !== null;
  }
}

const derive = (key: Buffer) =>
  Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'stepguard email-code hmac v1', 32));

const mac = (key: Buffer, codeId: string, code: string) =>
  createHmac('sha256', key).update(`${codeId}\0${code}`, 'utf8').digest('hex');

/** People paste "123 456" or "123-456"; anything else simply fails to match. */
const normalise = (code: string) => code.replace(/[\s-]/g, '');
