import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../common/actor.js';
import type { FactorType } from '../factor.entity.js';

export interface RenamedFactor {
  id: string;
  type: FactorType;
  label: string;
}

/** The signed-in user gives one of their own factors a new name (1–64 characters, trimmed). */
export class RenameFactorCommand extends Command<{ factor: RenamedFactor }> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly factorId: string,
    readonly label: string,
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}
