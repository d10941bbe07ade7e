import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/index.js';
import { AuthModule } from '../auth/index.js';
import { ComplianceModule } from '../compliance/index.js';
import { IdentityModule } from '../identity/index.js';
import { ApiKeysPages } from './admin/api-keys.pages.js';
import { NewApiKeyReveal } from './admin/api-keys-reveal.js';
import { AuditPages } from './admin/audit.pages.js';
import { AuditStreamPages } from './admin/audit-stream.pages.js';
import { AuditVerification } from './admin/audit-verification.js';
import { AssetsController } from './assets.controller.js';
import { FormGuard } from './form-guard.js';
import { FormTokens } from './form-tokens.js';
import { PageErrorsFilter } from './page-errors.filter.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';
import { SecurityPages } from './security.pages.js';
import { SessionsPages } from './sessions.pages.js';
import { SignInPages } from './sign-in.pages.js';
import { WebAssets } from './web-assets.js';

/** The server-rendered pages (api processes only): the account pages on the same commands as the API. */
@Module({
  imports: [AuthModule, ComplianceModule, AuditModule, IdentityModule],
  controllers: [
    AssetsController,
    SignInPages,
    SecurityPages,
    SessionsPages,
    ApiKeysPages,
    AuditPages,
    AuditStreamPages,
  ],
  providers: [
    WebAssets,
    PageRenderer,
    FormTokens,
    FormGuard,
    PageFrames,
    PageErrorsFilter,
    NewApiKeyReveal,
    AuditVerification,
  ],
})
export class WebModule {}
