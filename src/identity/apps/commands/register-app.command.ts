import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../../common/actor.js';
import type { RegisteredApp } from '../app.entity.js';
import type { App } from '../app-kinds.js';
import type { PresenceProof } from '../../reauth-gate.js';

/** Registers an app of the tenant; its key is returned once and only its hash is kept. */
export class RegisterAppCommand extends Command<{ app: RegisteredApp; key: string }> {
  constructor(
    readonly tenantId: string,
    readonly input: { name: string; kind: App },
    readonly actor: Actor,
    readonly request: RequestMeta,
    /** The caller's session, held to the re-auth window (a new app key is a credential). */
    readonly session: PresenceProof | null,
  ) {
    super();
  }
}
