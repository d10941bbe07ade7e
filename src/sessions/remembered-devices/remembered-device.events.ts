export class DeviceRememberedEvent {
  static readonly type = 'DeviceRemembered';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly deviceId: string,
  ) {}
}

export class RememberedDevicesForgottenEvent {
  static readonly type = 'RememberedDevicesForgotten';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly forgotten: number,
  ) {}
}
