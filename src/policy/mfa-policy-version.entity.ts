import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { ActorType } from '../common/actor.js';
import type { Role } from '../common/access/roles.js';
import type { MfaPolicySettings } from './mfa-policy.js';
import type { App } from '../identity/index.js';
import type { MfaMethod } from './policy-engine.js';

/** One saved version of a tenant's MFA policy; every save adds one, none is ever changed. */
@Entity({ tableName: 'mfa_policy_versions' })
@Unique({ properties: ['tenantId', 'version'] })
export class MfaPolicyVersion {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId!: string;

  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'boolean' })
  requireMfa!: boolean;

  @Property({ type: 'text[]' })
  requiredRoles!: Role[];

  @Property({ type: 'integer' })
  gracePeriodDays!: number;

  @Property({ type: 'text[]' })
  allowedMethods!: MfaMethod[];

  @Property({ type: 'text[]' })
  enforceOn!: App[];

  @Property({ type: 'boolean' })
  totpPriorConnection!: boolean;

  @Property({ type: 'boolean' })
  biometricPriorConnection = false;

  @Property({ type: 'boolean' })
  passkeySignIn = false;

  @Property({ type: 'text[]' })
  phishingResistantRoles: Role[] = [];

  @Property({ type: 'integer' })
  rememberDeviceDays!: number;

  @Property({ type: 'integer' })
  reauthMaxAgeMinutes!: number;

  /** Null in versions saved before tenants chose them: the server's default applies (see settings()). */
  @Property({ type: 'integer[]', nullable: true })
  reminderDays: number[] | null = null;

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'text' })
  createdByType!: ActorType;

  @Property({ type: 'uuid', nullable: true })
  createdById: string | null = null;

  static of(input: {
    tenantId: string;
    version: number;
    settings: MfaPolicySettings;
    by: { type: ActorType; id: string | null };
    now: Date;
  }): MfaPolicyVersion {
    const { settings: s } = input;
    return Object.assign(new MfaPolicyVersion(), {
      tenantId: input.tenantId,
      version: input.version,
      requireMfa: s.requireMfa,
      requiredRoles: [...s.requiredRoles],
      gracePeriodDays: s.gracePeriodDays,
      allowedMethods: [...s.allowedMethods],
      enforceOn: [...s.enforceOn],
      totpPriorConnection: s.connectionPolicy.totpPriorConnection,
      biometricPriorConnection: s.connectionPolicy.biometricPriorConnection,
      passkeySignIn: s.passkeySignIn,
      phishingResistantRoles: [...s.phishingResistantRoles],
      rememberDeviceDays: s.rememberDeviceDays,
      reauthMaxAgeMinutes: s.reauthMaxAgeMinutes,
      reminderDays: [...s.reminderDays],
      createdAt: input.now,
      createdByType: input.by.type,
      createdById: input.by.id,
    });
  }

  settings(defaultReminderDays: readonly number[]): MfaPolicySettings {
    return {
      requireMfa: this.requireMfa,
      requiredRoles: [...this.requiredRoles],
      gracePeriodDays: this.gracePeriodDays,
      allowedMethods: [...this.allowedMethods],
      enforceOn: [...this.enforceOn],
      connectionPolicy: {
        totpPriorConnection: this.totpPriorConnection,
        biometricPriorConnection: this.biometricPriorConnection,
      },
      passkeySignIn: this.passkeySignIn,
      phishingResistantRoles: [...this.phishingResistantRoles],
      rememberDeviceDays: this.rememberDeviceDays,
      reauthMaxAgeMinutes: this.reauthMaxAgeMinutes,
      reminderDays: [...(this.reminderDays ?? defaultReminderDays)],
    };
  }
}
