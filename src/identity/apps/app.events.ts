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
  ) {}
}
