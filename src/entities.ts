import { AUDIT_ENTITIES } from './audit/audit.entities.js';
import { AUTH_ENTITIES } from './auth/auth.entities.js';
import { FACTORS_ENTITIES } from './factors/factors.entities.js';
import { IDENTITY_ENTITIES } from './identity/identity.entities.js';
import { OUTBOX_ENTITIES } from './infra/outbox/outbox.entities.js';
import { POLICY_ENTITIES } from './policy/policy.entities.js';
import { SESSIONS_ENTITIES } from './sessions/sessions.entities.js';

/** Every table the ORM maps, each slice's own list: the composition root is the one place that knows them all. */
export const ENTITIES = [
  ...IDENTITY_ENTITIES,
  ...SESSIONS_ENTITIES,
  ...AUDIT_ENTITIES,
  ...POLICY_ENTITIES,
  ...FACTORS_ENTITIES,
  ...AUTH_ENTITIES,
  ...OUTBOX_ENTITIES,
];
