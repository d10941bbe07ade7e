import { MfaPolicyVersion } from './mfa-policy-version.entity.js';
import { MfaScopeStart } from './scope/mfa-scope-start.entity.js';

/** The tables this slice owns, for the ORM (the composition root lists every slice's). */
export const POLICY_ENTITIES = [MfaPolicyVersion, MfaScopeStart];
