/** An admin removed every factor and remembered device of the tenant; users fall under the grace rules again. */
export class AllDevicesForgottenEvent {
  static readonly type = 'AllDevicesForgotten';
  constructor(
    readonly tenantId: string,
    readonly factorsRemoved: number,
  ) {}
}
