/** Past-tense facts about backup codes; never carrying a code or its hash. */

/** A first set of codes, issued when the user's first factor became active. */
export class BackupCodesGeneratedEvent {
  static readonly type = 'BackupCodesGenerated';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly count: number,
  ) {}
}

/** The user asked for a new set: the old codes stopped working. */
export class BackupCodesRegeneratedEvent {
  static readonly type = 'BackupCodesRegenerated';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly count: number,
  ) {}
}

/** A code was spent (a session opened with it is degraded). */
export class BackupCodeUsedEvent {
  static readonly type = 'BackupCodeUsed';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly backupCodeId: string,
    readonly remaining: number,
  ) {}
}
