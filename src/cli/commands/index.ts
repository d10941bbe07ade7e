import type { CliCommand } from '../cli-command.js';
import { apiKeyCreate } from './apikey-create.js';
import { auditCheckpoint } from './audit-checkpoint.js';
import { auditPurge } from './audit-purge.js';
import { auditVerify } from './audit-verify.js';
import { keysRotate } from './keys-rotate.js';
import { migrate } from './migrate.js';
import { tenantCreate } from './tenant-create.js';
import { userCreate } from './user-create.js';

export const COMMANDS: readonly CliCommand[] = [
  tenantCreate,
  userCreate,
  apiKeyCreate,
  auditVerify,
  auditCheckpoint,
  auditPurge,
  keysRotate,
  migrate,
];
