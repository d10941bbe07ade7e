import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditLog } from '../../audit/index.js';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { Tx } from '../../common/cqrs/unit-of-work.js';
import { BackupCodesGeneratedEvent, BackupCodeUsedEvent } from '../events/backup-code.events.js';
import { Factor } from '../factor.entity.js';
import { lockUserFactors } from '../user-factors-lock.js';
import { BackupCode } from './backup-code.entity.js';
import { BACKUP_CODES_PER_SET, newBackupCode, normaliseBackupCode } from './backup-code-format.js';
import { BackupCodeHasher, type CodeOwner } from './backup-code-hasher.js';

export type { CodeOwner } from './backup-code-hasher.js';

// Malformed input is hashed and compared like a real code, so it is refused in the same time.
const DECOY = '0000000000';

/** Issues, checks and spends a user's backup codes. */
@Injectable()
export class BackupCodes {
  constructor(
    private readonly audit: AuditLog,
    private readonly hasher: BackupCodeHasher,
  ) {}

  /**
   * Replaces the user's codes with a fresh set inside the caller's transaction (the caller records
   * why). The plain codes exist only in the returned array: the database gets their hashes.
   */
  async replace(tx: Tx, owner: CodeOwner, now: Date): Promise<string[]> {
    await lockUserFactors(tx, owner.userId);
    const codes = new Set<string>();
    while (codes.size < BACKUP_CODES_PER_SET) codes.add(newBackupCode());
    const repo = tx.em.getRepository(BackupCode);
    await repo.deleteAllForUser(owner.tenantId, owner.userId);
    for (const code of codes) {
      const hash = this.hasher.hash(owner, normaliseBackupCode(code)!);
      tx.em.persist(new BackupCode({ ...owner, hash, now }));
    }
    await tx.em.flush();
    return [...codes];
  }

  /**
   * The first set, when `factor` (just activated in `tx`) is the user's only active factor, audited;
   * undefined otherwise. Every factor type's activation calls this, BEFORE recording its own audit
   * entry: the user's lock is taken before the audit chain's, in the order enrolment takes them.
   */
  async issueIfFirstFactor(
    tx: Tx,
    factor: Factor,
    now: Date,
    by: { actor: Actor; request: RequestMeta },
  ): Promise<string[] | undefined> {
    const owner = { tenantId: factor.tenantId, userId: factor.userId };
    // Locked before counting: of two factors activated at once, only the first sees no other.
    await lockUserFactors(tx, owner.userId);
    if (await tx.em.count(Factor, { ...owner, status: 'active', id: { $ne: factor.id } })) return undefined;
    const codes = await this.replace(tx, owner, now);
    await this.audit.record(tx, new BackupCodesGeneratedEvent(owner.tenantId, owner.userId, codes.length), {
      ...by,
      target: { type: 'user', id: owner.userId },
      details: { count: codes.length },
    });
    return codes;
  }

  /** The unused code `input` matches, or null; compares against every unused code, in constant time each. */
  async match(em: EntityManager, owner: CodeOwner, input: string): Promise<BackupCode | null> {
    const unused = await em.getRepository(BackupCode).findUnused(owner.tenantId, owner.userId);
    const canonical = normaliseBackupCode(input);
    const matches = this.hasher.matcher(owner, canonical ?? DECOY);
    let matched: BackupCode | null = null;
    for (const code of unused) if (matches(code) && canonical && !matched) matched = code;
    return matched;
  }

  /** Spends the code inside the caller's transaction, with its audit entry; false when another request spent it first. */
  async consume(tx: Tx, code: BackupCode, now: Date): Promise<boolean> {
    const repo = tx.em.getRepository(BackupCode);
    if (!(await repo.markUsed(code, now))) return false;
    const remaining = await repo.countUnused(code.tenantId, code.userId);
    await this.audit.record(tx, new BackupCodeUsedEvent(code.tenantId, code.userId, code.id, remaining), {
      actor: { type: 'user', id: code.userId },
      target: { type: 'backup_code', id: code.id },
      details: { remaining },
    });
    return true;
  }
}
