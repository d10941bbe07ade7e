import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditedAttempt, AuditLog } from '../../audit/index.js';
import { Clock } from '../../common/clock.js';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { conflict, DomainError } from '../../common/errors/domain-error.js';
import { MfaOverviewReader } from '../../factors/index.js';
import { lockTenant, recordMfaPolicyVersion } from '../../identity/index.js';
import {
  completedPolicy,
  countsAsEnrolled,
  diffPolicies,
  isInScope,
  type MfaPolicySettings,
  MfaPolicyStore,
  MfaPolicyVersion,
  MfaScopeStart,
  PolicyChangedEvent,
  policyWeakenings,
  ReauthCheck,
  type Weakening,
} from '../../policy/index.js';
import { GraceSweepAfterChange } from '../grace/grace-sweep-after-change.js';
import {
  confirmationNeeded,
  type ConfirmedWeakening,
  MfaWeakeningConfirmation,
} from '../mfa-weakening-confirmation.js';
import { ChangeMfaPolicyCommand, type PolicyEditor } from './change-mfa-policy.command.js';

const adminMfaRequired = () =>
  new DomainError('admin_mfa_required', 'This policy would require MFA of you: enrol an allowed factor first');

const weakeningNeedsConfirmation = (weakenings: readonly Weakening[]) => () =>
  confirmationNeeded(`This change lowers MFA protection (${weakenings.join(', ')}): it`);

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
    private readonly confirmations: MfaWeakeningConfirmation,
    private readonly graceSweep: GraceSweepAfterChange,
  ) {}

  execute({ tenantId, settings: change, editor, actor, request, options }: ChangeMfaPolicyCommand) {
    const { expectedVersion } = options;
    const target = { type: 'mfa_policy', id: tenantId };
    const attempt = { tenantId, action: PolicyChangedEvent.type, actor, target, request };
    return this.attempts.run(attempt, async () => {
      const now = this.clock.now();
      // The window of the policy in force: a new, longer window cannot vouch for the session saving it.
      await this.reauth.assertRecent(tenantId, editor.session, now);
      const inForce = await this.store.current(tenantId);
      const proposed = completedPolicy(change, inForce.settings);
      assertPasskeysAllowedWhereRequired(proposed);
      await this.assertEditorMayComply(tenantId, editor, proposed);
      const weakens = policyWeakenings(inForce.settings, proposed);
      const subject = { tenantId, userId: editor.userId, sessionId: editor.session.id, request };
      const confirmed = weakens.length
        ? await this.confirmations.check(subject, options.confirmation, now, weakeningNeedsConfirmation(weakens))
        : null;
      const saved = await this.uow.run(async (tx) => {
        // One save at a time per tenant, so versions are gap-free and each diff is against its predecessor.
        await lockTenant(tx, tenantId);
        const previous = await this.store.current(tenantId, tx.em);
        if (expectedVersion !== undefined && expectedVersion !== previous.version) {
          throw conflict(
            `The policy was changed since version ${expectedVersion}: it is at version ${previous.version}`,
          );
        }
        const settings = completedPolicy(change, previous.settings);
        assertPasskeysAllowedWhereRequired(settings);
        const changes = diffPolicies(previous.settings, settings);
        if (Object.keys(changes).length === 0) return previous;
        // Re-checked on the policy locked here: a save that made it stricter meanwhile makes this one weaker.
        const weakenings = policyWeakenings(previous.settings, settings);
        if (weakenings.length && !confirmed) throw weakeningNeedsConfirmation(weakenings)();
        if (confirmed) await confirmed.consume(tx, now);
        const version = previous.version + 1;
        const row = MfaPolicyVersion.of({ tenantId, version, settings, by: actor, now });
        tx.em.persist(row);
        await tx.em.flush();
        await recordMfaPolicyVersion(tx, tenantId, version);
        const scope = await tx.em.getRepository(MfaScopeStart).syncTenant(tenantId, settings, now);
        await this.graceSweep.queue(tx, tenantId, row.id);
        await this.audit.record(tx, new PolicyChangedEvent(tenantId, version, previous.version, changes), {
          actor,
          target,
          request,
          details: {
            version,
            previousVersion: previous.version,
            changes,
            scope,
            ...(weakenings.length ? weakeningRecord(weakenings, confirmed!, previous.settings) : {}),
          },
        });
        return { settings, version, updatedAt: now, updatedBy: actor };
      });
      if (confirmed) await this.confirmations.accepted(confirmed, editor.userId);
      return saved;
    });
  }

  /** An admin who would be locked out by their own policy gets told now, not at their next sign-in. */
  private async assertEditorMayComply(tenantId: string, editor: PolicyEditor, settings: MfaPolicySettings) {
    if (!isInScope(settings, editor.roles)) return;
    const { factors } = await this.factors.forUser(tenantId, editor.userId);
    if (
      !countsAsEnrolled(
        settings,
        editor.roles,
        factors.map((f) => f.type),
      )
    )
      throw adminMfaRequired();
  }
}

/** Roles held to passkeys while passkeys are not allowed could never comply: refused, not saved. */
function assertPasskeysAllowedWhereRequired(settings: MfaPolicySettings): void {
  if (settings.phishingResistantRoles.length === 0 || settings.allowedMethods.includes('webauthn')) return;
  throw new DomainError('validation_failed', 'Roles that must use a passkey need passkeys among the allowed methods', {
    errors: [{ field: 'phishingResistantRoles', message: 'needs webauthn in allowedMethods' }],
  });
}

/**
 * A weaker policy is recorded as confirmed, with what it weakened and the whole policy it replaced,
 * for whoever must restore it.
 */
function weakeningRecord(weakenings: Weakening[], confirmed: ConfirmedWeakening, previousPolicy: object) {
  return { weakenings, confirmedWith: confirmed.proof, previousPolicy };
}
