import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditLog } from '../../audit/audit-log.js';
import { AuditedAttempt } from '../../audit/audited.js';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { conflict, DomainError } from '../../common/errors/domain-error.js';
import { mfaCodeInvalid } from '../../factors/factors.errors.js';
import { MfaOverviewReader } from '../../factors/mfa-overview.js';
import { RemovalProof } from '../../factors/removal-proof.js';
import { PolicyChangedEvent } from '../events/policy-changed.event.js';
import { GraceSweepAfterChange } from '../grace/grace-sweep-after-change.js';
import { diffPolicies } from '../mfa-policy.js';
import { MfaPolicyStore } from '../mfa-policy-store.js';
import { MfaPolicyVersion } from '../mfa-policy-version.entity.js';
import { ReauthCheck } from '../reauth-check.js';
import { MfaScopeStarts } from '../mfa-scope-starts.js';
import { countsAsEnrolled, isInScope } from '../policy-engine.js';
import { ChangeMfaPolicyCommand, type PolicyEditor } from './change-mfa-policy.command.js';

const adminMfaRequired = () =>
  new DomainError('admin_mfa_required', 'This policy would require MFA of you: enrol an allowed factor first');

const mfaOffNeedsConfirmation = () =>
  new DomainError('reauth_required', 'Turning MFA off needs your password and a current code');

@CommandHandler(ChangeMfaPolicyCommand)
export class ChangeMfaPolicyHandler implements ICommandHandler<ChangeMfaPolicyCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly attempts: AuditedAttempt,
    private readonly store: MfaPolicyStore,
    private readonly factors: MfaOverviewReader,
    private readonly reauth: ReauthCheck,
    private readonly scopes: MfaScopeStarts,
    private readonly proofs: RemovalProof,
    private readonly graceSweep: GraceSweepAfterChange,
  ) {}

  execute({ tenantId, settings, editor, actor, request, options }: ChangeMfaPolicyCommand) {
    const { expectedVersion } = options;
    const target = { type: 'mfa_policy', id: tenantId };
    const attempt = { tenantId, action: PolicyChangedEvent.type, actor, target, request };
    return this.attempts.run(attempt, async () => {
      const now = this.clock.now();
      // The window of the policy in force: a new, longer window cannot vouch for the session saving it.
      await this.reauth.assertRecent(tenantId, editor.session, now);
      await this.assertEditorMayComply(tenantId, editor, settings);
      const inForce = await this.store.current(tenantId);
      const turningOff = inForce.settings.requireMfa && !settings.requireMfa;
      const code = turningOff ? await this.confirmTurningOff(tenantId, editor, options.confirmation, now) : null;
      return this.uow.run(async (tx) => {
        // One save at a time per tenant, so versions are gap-free and each diff is against its predecessor.
        await tx.em.execute('select id from tenants where id = ? for update', [tenantId]);
        const previous = await this.store.current(tenantId, tx.em);
        if (expectedVersion !== undefined && expectedVersion !== previous.version) {
          throw conflict(
            `The policy was changed since version ${expectedVersion}: it is at version ${previous.version}`,
          );
        }
        const changes = diffPolicies(previous.settings, settings);
        if (Object.keys(changes).length === 0) return previous;
        // Re-checked on the policy locked here: a save that turned MFA on meanwhile needs the confirmation too.
        if (previous.settings.requireMfa && !settings.requireMfa && !code) {
          throw mfaOffNeedsConfirmation();
        }
        if (code && !(await code.consume(tx, now))) throw mfaCodeInvalid();
        const version = previous.version + 1;
        const row = MfaPolicyVersion.of({ tenantId, version, settings, by: actor, now });
        tx.em.persist(row);
        await tx.em.flush();
        const scope = await this.scopes.syncTenant(tx.em, tenantId, settings, now);
        await this.graceSweep.queue(tx, tenantId, row.id);
        await this.audit.record(tx, new PolicyChangedEvent(tenantId, version, previous.version, changes), {
          actor,
          target,
          request,
          // Turning MFA off is recorded with the whole policy it replaced, for whoever must restore it.
          details: {
            version,
            previousVersion: previous.version,
            changes,
            scope,
            ...(turningOff ? { previousPolicy: previous.settings } : {}),
          },
        });
        return { settings: row.settings(), version, updatedAt: now, updatedBy: actor };
      });
    });
  }

  /**
   * Turning MFA off for the organisation is the one change an attacker holding an admin session wants
   * most: it needs the admin's password and a current code of their authenticator app, both checked
   * now (the code used up in the save's transaction, so it cannot be replayed).
   */
  private async confirmTurningOff(
    tenantId: string,
    editor: PolicyEditor,
    confirmation: { password: string; code: string } | undefined,
    now: Date,
  ) {
    if (!confirmation) throw mfaOffNeedsConfirmation();
    const subject = { tenantId, userId: editor.userId, sessionId: editor.session.id };
    const reader = this.uow.reader();
    await this.proofs.check(reader, subject, { password: confirmation.password }, now);
    const code = await this.proofs.check(reader, subject, { code: confirmation.code }, now);
    return code.kind === 'code' ? code : null;
  }

  /** An admin who would be locked out by their own policy gets told now, not at their next sign-in. */
  private async assertEditorMayComply(
    tenantId: string,
    editor: PolicyEditor,
    settings: ChangeMfaPolicyCommand['settings'],
  ) {
    if (!isInScope(settings, editor.roles)) return;
    const { factors } = await this.factors.forUser(tenantId, editor.userId);
    if (
      !countsAsEnrolled(
        settings,
        factors.map((f) => f.type),
      )
    )
      throw adminMfaRequired();
  }
}
