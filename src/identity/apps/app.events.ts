import type { Actor } from '../../common/actor.js';
import type { App } from './app-kinds.js';

export class AppRegisteredEvent {
  static readonly type = 'AppRegistered';
  constructor(
    readonly tenantId: string,
    readonly appId: string,
    readonly kind: App,
  ) {}
}

/** The app's key no longer signs anyone in; the sessions opened through it are revoked with it. */
export class AppRemovedEvent {
  static readonly type = 'AppRemoved';
  constructor(
    readonly tenantId: string,
    readonly appId: string,
    /** Who removed it: the sessions' revocations are theirs. */
    readonly actor: Actor,
  ) {}
}
