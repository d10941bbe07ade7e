import { Command } from '@nestjs/cqrs';
import type { RequestMeta } from '../../common/actor.js';

/** "Forget this and every other remembered device": each must pass the second factor again. */
export class ForgetRememberedDevicesCommand extends Command<{ forgotten: number }> {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly request: RequestMeta,
  ) {
    super();
  }
}
