import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../../common/actor.js';

/** Removes an app: its key signs nobody in any more. */
export class RemoveAppCommand extends Command<void> {
  constructor(
    readonly tenantId: string,
    readonly appId: string,
    readonly actor: Actor,
    readonly request: RequestMeta,
  ) {
    super();
  }
}
