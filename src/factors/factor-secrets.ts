import { Injectable, Logger } from '@nestjs/common';
import { EncryptionKeyUnavailableError, SecretBox } from '../common/crypto/secret-box.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { Factor } from './factor.entity.js';

/** Seals and opens factor secrets, each bound to its own row: a ciphertext moved to another factor fails. */
@Injectable()
export class FactorSecrets {
  private readonly logger = new Logger('FactorSecrets');

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

  /**
   * Opens the secret to check a code. A secret under a key this node lacks is 503 `key_unavailable`
   * (retry: another node, or this one once its configuration catches up), never a 500: during a
   * rolling deploy that adds a key, nodes already running it seal with it before the others have it.
   */
  openToVerify(factor: Factor): Buffer {
    try {
      return this.open(factor);
    } catch (error) {
      if (!(error instanceof EncryptionKeyUnavailableError)) throw error;
      this.logger.error(
        `factor ${factor.id} is sealed under encryption key "${error.keyId}", which this node is not configured with: ` +
          'deploy a new key to every node before making it the newest (see docs/operations.md, "Encryption keys")',
      );
      throw new DomainError(
        'key_unavailable',
        'A secret cannot be opened on this server right now; try again shortly',
        {
          retryAfterSeconds: 30,
          debug: error.keyId,
        },
      );
    }
  }
}

const contextOf = (factor: Factor) => `factor-secret:${factor.tenantId}:${factor.id}`;
