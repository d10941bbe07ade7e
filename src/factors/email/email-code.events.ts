import type { EmailCodePurpose } from './email-code.entity.js';

/** A code was issued for an e-mail factor and its delivery committed to the outbox. Never carries the code. */
export class EmailCodeSentEvent {
  static readonly type = 'EmailCodeSent';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly factorId: string,
    readonly purpose: EmailCodePurpose,
  ) {}
}
