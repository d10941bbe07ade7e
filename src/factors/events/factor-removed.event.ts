import type { FactorType } from '../factor.entity.js';

/** A factor was removed by its user; `lastFactor` when the user has no active factor left. */
export class FactorRemovedEvent {
  static readonly type = 'FactorRemoved';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly factorId: string,
    readonly factorType: FactorType,
    readonly lastFactor: boolean,
  ) {}
}
