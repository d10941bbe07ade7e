import { Migration0001Foundation } from './0001-foundation.js';
import { Migration0002Factors } from './0002-factors.js';
import { Migration0003MfaChallenges } from './0003-mfa-challenges.js';
import { Migration0004BackupCodes } from './0004-backup-codes.js';
import { Migration0005RememberedDevices } from './0005-remembered-devices.js';
import { Migration0006EmailCodes } from './0006-email-codes.js';
import { Migration0007MfaFailureStreaks } from './0007-mfa-failure-streaks.js';
import { Migration0008PurgeIndexes } from './0008-purge-indexes.js';
import { Migration0009MfaPolicyVersions } from './0009-mfa-policy-versions.js';
import { Migration0010MfaScope } from './0010-mfa-scope.js';
import { Migration0011MfaGraceNotices } from './0011-mfa-grace-notices.js';
import { Migration0012MfaResets } from './0012-mfa-resets.js';
import { Migration0013StepUpConnections } from './0013-step-up-connections.js';
import { Migration0014AppBinding } from './0014-app-binding.js';
import { Migration0015ChallengeBinding } from './0015-challenge-binding.js';
import { Migration0016LoginNetworksAndKeyedBackupCodes } from './0016-login-networks-and-keyed-backup-codes.js';
import { Migration0017OutboxRecipient } from './0017-outbox-recipient.js';
import { Migration0018TenantPolicyVersion } from './0018-tenant-policy-version.js';
import { Migration0019AuditAppendFunction } from './0019-audit-append-function.js';
import { Migration0020GraceSweepCoveringIndexes } from './0020-grace-sweep-covering-indexes.js';
import { Migration0021AuditCheckpoints } from './0021-audit-checkpoints.js';
import { Migration0022AuditStreamSinks } from './0022-audit-stream-sinks.js';

/** Every migration, in order. Listed explicitly so the built app and the tests run the same set. */
export const MIGRATIONS = [
  { name: '0001-foundation', class: Migration0001Foundation },
  { name: '0002-factors', class: Migration0002Factors },
  { name: '0003-mfa-challenges', class: Migration0003MfaChallenges },
  { name: '0004-backup-codes', class: Migration0004BackupCodes },
  { name: '0005-remembered-devices', class: Migration0005RememberedDevices },
  { name: '0006-email-codes', class: Migration0006EmailCodes },
  { name: '0007-mfa-failure-streaks', class: Migration0007MfaFailureStreaks },
  { name: '0008-purge-indexes', class: Migration0008PurgeIndexes },
  { name: '0009-mfa-policy-versions', class: Migration0009MfaPolicyVersions },
  { name: '0010-mfa-scope', class: Migration0010MfaScope },
  { name: '0011-mfa-grace-notices', class: Migration0011MfaGraceNotices },
  { name: '0012-mfa-resets', class: Migration0012MfaResets },
  { name: '0013-step-up-connections', class: Migration0013StepUpConnections },
  { name: '0014-app-binding', class: Migration0014AppBinding },
  { name: '0015-challenge-binding', class: Migration0015ChallengeBinding },
  { name: '0016-login-networks-and-keyed-backup-codes', class: Migration0016LoginNetworksAndKeyedBackupCodes },
  { name: '0017-outbox-recipient', class: Migration0017OutboxRecipient },
  { name: '0018-tenant-policy-version', class: Migration0018TenantPolicyVersion },
  { name: '0019-audit-append-function', class: Migration0019AuditAppendFunction },
  { name: '0020-grace-sweep-covering-indexes', class: Migration0020GraceSweepCoveringIndexes },
  { name: '0021-audit-checkpoints', class: Migration0021AuditCheckpoints },
  { name: '0022-audit-stream-sinks', class: Migration0022AuditStreamSinks },
];
