import { type FactoryProvider, Injectable } from '@nestjs/common';
import { AppConfig } from '../common/app-config.js';
import { SecretBox } from '../common/crypto/secret-box.js';
import type { Factor } from './factor.entity.js';

export const secretBoxProvider: FactoryProvider<SecretBox> = {
  provide: SecretBox,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => new SecretBox(config.encryptionKeys),
};

/** Seals and opens factor secrets, each bound to its own row: a ciphertext moved to another factor fails. */
@Injectable()
export class FactorSecrets {
  constructor(private readonly box: SecretBox) {}

  get currentKeyId(): string {
    return this.box.currentKeyId;
  }

  seal(factor: Factor, secret: Uint8Array): void {
    const sealed = this.box.seal(secret, contextOf(factor));
    factor.secretKeyId = sealed.keyId;
    factor.secretCiphertext = sealed.ciphertext;
  }

  open(factor: Factor): Buffer {
    if (!factor.secretKeyId || !factor.secretCiphertext) throw new Error(`factor ${factor.id} has no secret`);
    return this.box.open({ keyId: factor.secretKeyId, ciphertext: factor.secretCiphertext }, contextOf(factor));
  }
}

const contextOf = (factor: Factor) => `factor-secret:${factor.tenantId}:${factor.id}`;
