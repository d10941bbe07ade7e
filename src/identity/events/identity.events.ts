import type { Role } from '../../common/access/roles.js';

/** Past-tense facts; `type` is the name the audit log and job ids use, never the class name. */
export class TenantCreatedEvent {
  static readonly type = 'TenantCreated';
  constructor(
    readonly tenantId: string,
    readonly slug: string,
  ) {}
}

export class UserCreatedEvent {
  static readonly type = 'UserCreated';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly roles: Role[],
  ) {}
}

export class UserRolesChangedEvent {
  static readonly type = 'UserRolesChanged';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly before: Role[],
    readonly after: Role[],
  ) {}
}

export class PasswordChangedEvent {
  static readonly type = 'PasswordChanged';
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly sessionsRevoked: number,
  ) {}
}

export class ApiKeyCreatedEvent {
  static readonly type = 'ApiKeyCreated';
  constructor(
    readonly tenantId: string,
    readonly apiKeyId: string,
  ) {}
}

export class ApiKeyRevokedEvent {
  static readonly type = 'ApiKeyRevoked';
  constructor(
    readonly tenantId: string,
    readonly apiKeyId: string,
  ) {}
}
