import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../../../common/clock.js';
import { UnitOfWork } from '../../../common/cqrs/unit-of-work.js';
import { TenantScope } from '../../../common/tenant-scope.js';
import { UsersDirectory } from '../../../identity/index.js';
import { MailTemplates } from '../../../infra/mail/mail-templates.js';
import { MailTransport } from '../../../infra/mail/mail-transport.js';
import type { OutboxMessage } from '../../../infra/outbox/outbox-message.entity.js';
import { OutboxRelay } from '../../../infra/outbox/outbox-relay.js';
import { Factor } from '../../factor.entity.js';
import { EMAIL_CODE_TTL_MS, EmailCode } from '../email-code.entity.js';
import { EmailCodeHasher } from '../email-code-hasher.js';
import { DeliverEmailCodeCommand, type EmailCodeDelivery } from './deliver-email-code.command.js';

const INTRO = {
  enrollment: 'Enter this code to confirm this address as a sign-in method.',
  sign_in: 'Enter this code to finish signing in.',
  step_up: 'Enter this code to confirm it is you before a sensitive change.',
} as const;

/**
 * The digits are generated here, at send time, and only their HMAC is stored: they never sit in the
 * database or in Redis, not even encrypted, and the job carries only the outbox row's id. A retry
 * after a crash between "mailed" and "marked delivered" mails fresh digits and overwrites the hash,
 * so however often a job runs, exactly one mailed code works.
 */
@CommandHandler(DeliverEmailCodeCommand)
export class DeliverEmailCodeHandler implements ICommandHandler<DeliverEmailCodeCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly outbox: OutboxRelay,
    private readonly hasher: EmailCodeHasher,
    private readonly directory: UsersDirectory,
    private readonly templates: MailTemplates,
    private readonly transport: MailTransport,
  ) {}

  async execute({ outboxId }: DeliverEmailCodeCommand): Promise<{ delivery: EmailCodeDelivery }> {
    const row = await this.outbox.find(outboxId);
    if (!row || row.deliveredAt) return { delivery: 'already_delivered' };
    // The row names its tenant: the code and its factor are read inside it.
    return row.tenantId ? TenantScope.run(row.tenantId, () => this.deliver(row)) : this.deliver(row);
  }

  private async deliver(row: OutboxMessage): Promise<{ delivery: EmailCodeDelivery }> {
    const em = this.uow.reader();
    const now = this.clock.now();
    const code = await em.findOne(EmailCode, { id: row.refId });
    const factor = code ? await em.findOne(Factor, { id: code.factorId, tenantId: code.tenantId }) : null;
    const tenant = code ? await this.directory.findTenant(code.tenantId) : null;
    const digits = this.hasher.generate();
    const hashed = code && this.hasher.hash(code.id, digits);
    const codes = em.getRepository(EmailCode);
    if (
      !code ||
      !factor ||
      !tenant ||
      !hashed ||
      !(await codes.setHash(code.id, hashed.codeHash, hashed.hashKeyId, now))
    ) {
      await this.outbox.markDelivered(row.id);
      return { delivery: 'stale' };
    }
    const mail = this.templates.render('email-code', {
      productName: tenant.name,
      intro: INTRO[code.purpose],
      code: digits,
      minutes: EMAIL_CODE_TTL_MS / 60_000,
    });
    await this.transport.send({ to: factor.label, subject: `Your ${tenant.name} verification code`, ...mail });
    await this.outbox.markDelivered(row.id);
    return { delivery: 'sent' };
  }
}
