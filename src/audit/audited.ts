import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { AuditLog, type AuditEntry } from './audit-log.js';

/**
 * Runs a use case and, when it is refused, records the refusal in its own transaction: the failed
 * change rolled back, but the attempt is still on the record ("every failure audited").
 */
@Injectable()
export class AuditedAttempt {
  constructor(
    private readonly orm: MikroORM,
    private readonly audit: AuditLog,
  ) {}

  async run<T>(attempt: Omit<AuditEntry, 'outcome'>, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DomainError) await this.recordFailure(attempt, error);
      throw error;
    }
  }

  async recordFailure(attempt: Omit<AuditEntry, 'outcome'>, error: DomainError): Promise<void> {
    await this.orm.em.fork().transactional((em) =>
      this.audit.append(em, {
        ...attempt,
        outcome: 'failure',
        details: { ...attempt.details, code: error.code, reason: error.message },
      }),
    );
  }
}
