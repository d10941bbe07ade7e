import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';

// OWASP's argon2id baseline (19 MiB, t=2, p=1): strong enough offline, cheap enough that login is not a DoS vector.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordHasher {
  private readonly dummyHash: Promise<string> = argon2.hash('stepguard-timing-equaliser', OPTIONS);

  hash(password: string): Promise<string> {
    return argon2.hash(password, OPTIONS);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /** Spends the time a real verification takes, so unknown users cannot be told apart by timing. */
  async burn(password: string): Promise<false> {
    await argon2.verify(await this.dummyHash, password).catch(() => false);
    return false;
  }
}
