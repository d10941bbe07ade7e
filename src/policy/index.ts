export {
  forgetAllDevicesSchema,
  type MfaPolicyInput,
  mfaPolicySchema,
  policyHistoryQuerySchema,
  policyVersionSchema,
} from './dto/mfa-policy.schemas.js';
export { PolicyChangedEvent } from './events/policy-changed.event.js';
export { planGraceActions } from './grace/grace-plan.js';
export { MfaPolicyStore, type StoredMfaPolicy } from './mfa-policy-store.js';
export { MfaPolicyVersion } from './mfa-policy-version.entity.js';
export { completedPolicy, diffPolicies, type MfaPolicyChange, type MfaPolicySettings } from './mfa-policy.js';
export {
  acceptedMethodsFor,
  countsAsEnrolled,
  type EnforcementRules,
  evaluateMfa,
  graceDeadline,
  isInScope,
  type MfaCompliance,
  type MfaMethod,
  needsPhishingResistance,
  PHISHING_RESISTANT_METHODS,
} from './policy-engine.js';
export { policyWeakenings, type Weakening } from './policy-weakenings.js';
export { POLICY_ENTITIES } from './policy.entities.js';
export { PolicyModule, ReauthGateModule } from './policy.module.js';
export { ReauthCheck } from './reauth-check.js';
export { MfaScopeStart } from './scope/mfa-scope-start.entity.js';
export { inScopeParams, inScopeSql } from './scope/in-scope.sql.js';
export {
  acceptedFactorOfStoredPolicySql,
  acceptedMethodsParams,
  acceptedMethodsSql,
} from './scope/accepted-methods.sql.js';
