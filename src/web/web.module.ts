import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/index.js';
import { ComplianceModule } from '../compliance/index.js';
import { AssetsController } from './assets.controller.js';
import { BackupCodesPages } from './backup-codes.pages.js';
import { EnrolmentCookies } from './enrolment-cookies.js';
import { EmailEnrolmentPages } from './enrolment-email.pages.js';
import { EnrolmentViews } from './enrolment-views.js';
import { EnrolmentPages } from './enrolment.pages.js';
import { FormGuard } from './form-guard.js';
import { FormTokens } from './form-tokens.js';
import { PageErrorsFilter } from './page-errors.filter.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';
import { SecurityPages } from './security.pages.js';
import { SessionsPages } from './sessions.pages.js';
import { SignInPages } from './sign-in.pages.js';
import { WebAssets } from './web-assets.js';
import { secretBoxProvider } from '../common/crypto/secret-box.provider.js';

/** The server-rendered pages (api processes only): the account pages on the same commands as the API. */
@Module({
  imports: [AuthModule, ComplianceModule],
  controllers: [
    AssetsController,
    SignInPages,
    SecurityPages,
    SessionsPages,
    EnrolmentPages,
    EmailEnrolmentPages,
    BackupCodesPages,
  ],
  providers: [
    WebAssets,
    PageRenderer,
    FormTokens,
    FormGuard,
    PageFrames,
    PageErrorsFilter,
    secretBoxProvider,
    EnrolmentCookies,
    EnrolmentViews,
  ],
})
export class WebModule {}
