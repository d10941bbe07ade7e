import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { BackupCodes, type FactorInventory } from '../../factors/index.js';
import {
  type ChallengeAnswer,
  type ChallengeMethodVerifier,
  type ChallengeSubject,
  codeOf,
  type MatchedCode,
} from './challenge-method.js';

/** A spare one-time code: offered while the user has unused ones; the session it opens is degraded. */
@Injectable()
export class BackupCodeChallengeMethod implements ChallengeMethodVerifier {
  readonly method = 'backup_code' as const;
  readonly amr = 'backup_code' as const;

  constructor(private readonly codes: BackupCodes) {}

  available(inventory: FactorInventory): boolean {
    return inventory.backupCodesRemaining > 0;
  }

  async match(em: EntityManager, subject: ChallengeSubject, answer: ChallengeAnswer): Promise<MatchedCode | null> {
    const matched = await this.codes.match(em, subject, codeOf(answer) ?? '');
    return (
      matched && {
        id: matched.id,
        since: matched.createdAt,
        consume: (tx, now) => this.codes.consume(tx, matched, now),
      }
    );
  }
}
