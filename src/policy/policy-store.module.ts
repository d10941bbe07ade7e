import { Module } from '@nestjs/common';
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
