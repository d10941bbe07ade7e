import { Global, Module } from '@nestjs/common';
import { ReauthGate } from '../identity/reauth-gate.js';
import { MfaPolicyStore } from './mfa-policy-store.js';
import { ReauthCheck } from './reauth-check.js';
import { MfaScopeStarts } from './mfa-scope-starts.js';

/**
 * Read access to tenants' MFA policies, with no dependency on any slice: the factors and auth slices
 * read the re-auth window and the remember-device period from it, and the policy slice writes it.
 */
@Module({
  providers: [MfaPolicyStore, ReauthCheck, MfaScopeStarts],
  exports: [MfaPolicyStore, ReauthCheck, MfaScopeStarts],
})
export class PolicyStoreModule {}

/** Lends the re-auth window to identity, a slice below policy, through the port identity declares. */
@Global()
@Module({
  imports: [PolicyStoreModule],
  providers: [{ provide: ReauthGate, useExisting: ReauthCheck }],
  exports: [ReauthGate],
})
export class ReauthGateModule {}
