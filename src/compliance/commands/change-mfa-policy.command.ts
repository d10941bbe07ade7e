import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { Role } from '../../common/access/roles.js';
import type { Session } from '../../sessions/index.js';
import type { MfaPolicyChange, StoredMfaPolicy } from '../../policy/index.js';
import type { WeakeningConfirmationInput } from '../mfa-weakening-confirmation.js';

/** The admin saving the policy: their roles and factors decide whether they may require MFA. */
export interface PolicyEditor {
  userId: string;
  roles: readonly Role[];
  session: Session;
}

/**
 * Saves `settings` as the tenant's next policy version. Needs a recent re-auth, and a confirmation
 * when it lowers protection for anyone (`policyWeakenings`); refused with `admin_mfa_required` when
 * the policy would require MFA of the editor, who has no allowed factor. Saving the settings already
 * in force changes nothing and adds no version.
 */
export class ChangeMfaPolicyCommand extends Command<StoredMfaPolicy> {
  constructor(
    readonly tenantId: string,
    readonly settings: MfaPolicyChange,
    readonly editor: PolicyEditor,
    readonly actor: Actor,
    readonly request: RequestMeta,
    readonly options: {
      /** The version the editor read; a save on top of a newer one is refused (409). */
      expectedVersion?: number | undefined;
      /** The editor's password and a current code: needed for a weaker policy. */
      confirmation?: WeakeningConfirmationInput | undefined;
    } = {},
  ) {
    super();
  }
}
