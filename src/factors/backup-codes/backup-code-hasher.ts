import { Injectable } from '@nestjs/common';
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../common/app-config.js';

/**
 * How a backup code's row was hashed. `hmac-sha256`: HMAC under a key derived (HKDF) from the
 * encryption key named by `hashKeyId`, which is never in the database, so a leaked row alone cannot
 * be searched offline (50 bits fall to a GPU in hours when the hash is unkeyed). `sha256`: the salted
 * SHA-256 of codes issued before; they keep working until used or regenerated.
 */
export type BackupCodeHashScheme = 'hmac-sha256' | 'sha256';

export interface StoredBackupCodeHash {
  codeHash: string;
  hashScheme: BackupCodeHashScheme;
  hashKeyId: string | null;
}

export interface CodeOwner {
  tenantId: string;
  userId: string;
}

/**
 * HMAC rather than argon2id: the code is 50 random bits, not a chosen password, so with the key out of
 * reach there is nothing to slow down, and a check compares against up to ten rows at login speed.
 */
@Injectable()
export class BackupCodeHasher {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly currentKeyId: string;

  constructor(config: AppConfig) {
    this.keys = new Map(config.encryptionKeys.map((k) => [k.id, derive(k.key)]));
    this.currentKeyId = config.encryptionKeys.at(-1)!.id;
  }

  hash(owner: CodeOwner, canonical: string): StoredBackupCodeHash {
    const key = this.keys.get(this.currentKeyId)!;
    return { codeHash: mac(key, owner, canonical), hashScheme: 'hmac-sha256', hashKeyId: this.currentKeyId };
  }

  /**
   * A matcher for one typed code against stored rows of any scheme: each digest is computed once per
   * check (whatever the rows), and compared in constant time. A row under a key no longer configured
   * never matches.
   */
  matcher(owner: CodeOwner, canonical: string): (stored: StoredBackupCodeHash) => boolean {
    const digests = new Map<string, Buffer>();
    digests.set('sha256', Buffer.from(legacyHash(owner, canonical), 'hex'));
    for (const [id, key] of this.keys) digests.set(`hmac:${id}`, Buffer.from(mac(key, owner, canonical), 'hex'));
    return (stored) => {
      const candidate = digests.get(stored.hashScheme === 'sha256' ? 'sha256' : `hmac:${stored.hashKeyId}`);
      const expected = Buffer.from(stored.codeHash, 'hex');
      return candidate !== undefined && candidate.length === expected.length && timingSafeEqual(candidate, expected);
    };
  }
}

const derive = (key: Buffer) =>
  Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'stepguard backup-code hmac v1', 32));

/** The owner is in the MAC, so equal codes of two users never share a hash and a row moved to another user fails. */
const mac = (key: Buffer, owner: CodeOwner, canonical: string) =>
  createHmac('sha256', key).update(`${owner.tenantId}\0${owner.userId}\0${canonical}`, 'utf8').digest('hex');

/** The scheme before HMAC (salted with the owner); only read, never written. */
const legacyHash = (owner: CodeOwner, canonical: string) =>
  createHash('sha256').update(`${owner.tenantId}:${owner.userId}:${canonical}`, 'utf8').digest('hex');
