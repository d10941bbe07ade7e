/** A user gave one of their factors a new name. */
export class FactorRenamedEvent {
  static readonly type = 'FactorRenamed';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly factorId: string,
  ) {}
}
