import { AUDIT_ENTITIES } from '../audit/index.js';
import { AUTH_ENTITIES } from '../auth/index.js';
import { COMPLIANCE_ENTITIES } from '../compliance/index.js';
import { FACTORS_ENTITIES } from '../factors/index.js';
import { IDENTITY_ENTITIES } from '../identity/index.js';
import { OUTBOX_ENTITIES } from '../infra/outbox/outbox.entities.js';
import { POLICY_ENTITIES } from '../policy/index.js';
import { SESSIONS_ENTITIES } from '../sessions/index.js';

/** Every table the ORM maps, each slice's own list: the composition root is the one place that knows them all. */
export const ENTITIES = [
  ...IDENTITY_ENTITIES,
  ...SESSIONS_ENTITIES,
  ...AUDIT_ENTITIES,
  ...POLICY_ENTITIES,
  ...FACTORS_ENTITIES,
  ...COMPLIANCE_ENTITIES,
  ...AUTH_ENTITIES,
  ...OUTBOX_ENTITIES,
];
