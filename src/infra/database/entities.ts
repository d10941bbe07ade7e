import { AuditChainHead, AuditEvent } from '../../audit/audit-event.entity.js';
import { MfaChallenge } from '../../auth/mfa-challenge.entity.js';
import { BackupCode } from '../../factors/backup-codes/backup-code.entity.js';
import { EmailCode } from '../../factors/email/email-code.entity.js';
import { Factor } from '../../factors/factor.entity.js';
import { ApiKey } from '../../identity/api-key.entity.js';
import { RegisteredApp } from '../../identity/apps/app.entity.js';
import { Tenant } from '../../identity/tenant.entity.js';
import { User } from '../../identity/user.entity.js';
import { RememberedDevice } from '../../sessions/remembered-devices/remembered-device.entity.js';
import { Session } from '../../sessions/session.entity.js';
import { OutboxMessage } from '../outbox/outbox-message.entity.js';
import { MfaPolicyVersion } from '../../policy/mfa-policy-version.entity.js';

export const ENTITIES = [
  Tenant,
  User,
  ApiKey,
  RegisteredApp,
  Session,
  AuditEvent,
  AuditChainHead,
  Factor,
  MfaChallenge,
  RememberedDevice,
  BackupCode,
  EmailCode,
  OutboxMessage,
  MfaPolicyVersion,
];
