import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { Session } from '../../sessions/index.js';

/** Replaces the user's backup codes with a new set, returned once; the old codes stop working. */
export class RegenerateBackupCodesCommand extends Command<{ backupCodes: string[] }> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    /** The caller's session: it must be recent and not opened with a backup code. */
    readonly session: Session,
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}
