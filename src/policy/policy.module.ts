import { Global, Module } from '@nestjs/common';
import { ReauthGate } from '../identity/index.js';
import { MfaPolicyStore } from './mfa-policy-store.js';
import { ReauthCheck } from './reauth-check.js';
import { MfaScopeOnUserChange } from './scope/mfa-scope.handler.js';

/**
 * The tenants' MFA policies: their versions, the pure engine that applies them, the re-auth window and
 * when each user came into scope. Factors, compliance and auth read them; compliance changes them.
 */
@Module({
  providers: [MfaPolicyStore, ReauthCheck, MfaScopeOnUserChange],
  exports: [MfaPolicyStore, ReauthCheck],
})
export class PolicyModule {}

/** Lends the re-auth window to identity, a slice below policy, through the port identity declares. */
@Global()
@Module({
  imports: [PolicyModule],
  providers: [{ provide: ReauthGate, useExisting: ReauthCheck }],
  exports: [ReauthGate],
})
export class ReauthGateModule {}
