import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditLog } from '../../audit/index.js';
import type { Actor, RequestMeta } from '../../common/actor.js';
import { tooManyAttempts } from '../../common/attempt-limiter.js';
import type { Tx } from '../../common/cqrs/unit-of-work.js';
import { OutboxMessage } from '../../infra/outbox/outbox-message.entity.js';
import { Factor } from '../factor.entity.js';
import { EMAIL_CODE_RESEND_MS, EmailCode, type EmailCodePurpose } from './email-code.entity.js';
import { EmailCodeSentEvent } from './email-code.events.js';
import { EmailCodeHasher } from './email-code-hasher.js';

/** A code that matched, to be used up inside the caller's transaction. */
export interface MatchedEmailCode {
  readonly codeId: string;
}

/** Issues, matches and consumes e-mailed codes; the one place their rules live. */
@Injectable()
export class EmailCodes {
  constructor(
    private readonly audit: AuditLog,
    private readonly hasher: EmailCodeHasher,
  ) {}

  /**
   * Issues a new code for the factor inside `tx`: the previous one stops working, and the delivery
   * is an outbox row of the same transaction. Returns the outbox row's id, to relay after the commit.
   * A second code within 60 s of the last is refused with 429 and Retry-After. `boundTo` (the
   * challenge or session the code is for) is the only place the code will be accepted.
   */
  async issue(
    tx: Tx,
    input: {
      factor: Factor;
      purpose: EmailCodePurpose;
      boundTo?: string;
      actor: Actor;
      request: RequestMeta;
      now: Date;
    },
  ): Promise<string> {
    const { factor, purpose, boundTo, now } = input;
    // Issuers for one factor queue on its row, so two "resend" clicks cannot both pass the 60 s check.
    await tx.em.execute('select id from factors where id = ? for update', [factor.id]);
    const codes = tx.em.getRepository(EmailCode);
    // Per purpose: the sign-in code right after the enrolment one is no flood.
    const latest = await codes.findLatest(factor.id, purpose);
    const waitMs = latest ? latest.createdAt.getTime() + EMAIL_CODE_RESEND_MS - now.getTime() : 0;
    if (waitMs > 0) throw tooManyAttempts('A code was sent moments ago; wait before asking for another', waitMs);
    await codes.supersedeLive(factor.id, now);
    const { tenantId, userId } = factor;
    const code = new EmailCode({ tenantId, userId, factorId: factor.id, purpose, boundTo, now });
    const outbox = new OutboxMessage({ tenantId: factor.tenantId, kind: 'email_code_sent', refId: code.id, now });
    tx.em.persist(code).persist(outbox);
    await tx.em.flush();
    await this.audit.record(tx, new EmailCodeSentEvent(factor.tenantId, factor.userId, factor.id, purpose), {
      actor: input.actor,
      target: { type: 'factor', id: factor.id },
      request: input.request,
      details: { factorType: 'email', purpose, ...(boundTo ? { boundTo } : {}) },
    });
    return outbox.id;
  }

  /**
   * Checks `code` against the factor's live code for `purpose` and `boundTo` (the challenge or session
   * it was sent for: a code mailed for one challenge opens no other, nor a step-up), counting the try
   * first (at most 5 per code). A null factor does the same hashing and never matches.
   */
  async match(
    em: EntityManager,
    factor: Factor | null,
    purpose: EmailCodePurpose,
    code: string,
    now: Date,
    boundTo: string | null = null,
  ): Promise<MatchedEmailCode | null> {
    const live = factor?.type === 'email' ? await em.getRepository(EmailCode).findLive(factor.id, now) : null;
    const usable = live?.purpose === purpose && live.boundTo === boundTo ? live : null;
    const stored = usable ? await em.getRepository(EmailCode).countTry(usable.id, now) : null;
    const matches = this.hasher.matches(usable?.id ?? DECOY_ID, code, stored);
    return usable && matches ? { codeId: usable.id } : null;
  }

  /** Uses the matched code up (single use, by a conditional UPDATE) and stamps the factor's last use. */
  async consume(tx: Tx, factor: Factor, matched: MatchedEmailCode, now: Date): Promise<boolean> {
    if (!(await tx.em.getRepository(EmailCode).consume(matched.codeId, now))) return false;
    await tx.em.nativeUpdate(Factor, { id: factor.id }, { lastUsedAt: now });
    return true;
  }
  /**
   * The e-mail counterpart of `TotpVerifier.consume` for enrolment: uses the code and activates the
   * pending factor inside `tx`. False when either lost a race (the caller then rolls back or refuses).
   */
  async activate(tx: Tx, factor: Factor, matched: MatchedEmailCode, now: Date): Promise<boolean> {
    if (!(await tx.em.getRepository(EmailCode).consume(matched.codeId, now))) return false;
    const activated = await tx.em.nativeUpdate(
      Factor,
      { id: factor.id, tenantId: factor.tenantId, status: 'pending' },
      { status: 'active', verifiedAt: now, lastUsedAt: now },
    );
    return activated === 1;
  }
}

const DECOY_ID = randomUUID();
