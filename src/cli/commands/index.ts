import type { AnyCliCommand } from '../cli-command.js';
import { apiKeyCreate } from './apikey-create.js';
import { auditCheckpoint } from './audit-checkpoint.js';
import { auditStreamsAdd } from './audit-streams-add.js';
import { auditStreamsList, auditStreamsPause, auditStreamsRemove, auditStreamsResume } from './audit-streams-manage.js';
import { auditPurge } from './audit-purge.js';
import { auditVerify } from './audit-verify.js';
import { clusterCheck } from './cluster-check.js';
import { keysRotate } from './keys-rotate.js';
import { migrate } from './migrate.js';
import { tenantCreate } from './tenant-create.js';
import { userCreate } from './user-create.js';

export const COMMANDS: readonly AnyCliCommand[] = [
  tenantCreate,
  userCreate,
  apiKeyCreate,
  auditVerify,
  auditCheckpoint,
  auditStreamsList,
  auditStreamsAdd,
  auditStreamsRemove,
  auditStreamsPause,
  auditStreamsResume,
  auditPurge,
  keysRotate,
  migrate,
  clusterCheck,
];
