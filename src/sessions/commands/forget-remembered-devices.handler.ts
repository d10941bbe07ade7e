import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { RememberedDevices } from '../remembered-devices/remembered-devices.js';
import { ForgetRememberedDevicesCommand } from './forget-remembered-devices.command.js';

@CommandHandler(ForgetRememberedDevicesCommand)
export class ForgetRememberedDevicesHandler implements ICommandHandler<ForgetRememberedDevicesCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly devices: RememberedDevices,
  ) {}

  async execute({ tenantId, userId, request }: ForgetRememberedDevicesCommand) {
    const subject = { tenantId, userId };
    const forgotten = await this.uow.run((tx) =>
      this.devices.forgetAll(tx, subject, { type: 'user', id: userId }, request),
    );
    return { forgotten };
  }
}
