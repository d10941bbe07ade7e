import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AuditModule } from '../audit/index.js';
import { FactorsModule } from '../factors/index.js';
import { IdentityModule } from '../identity/index.js';
import { MailModule } from '../infra/mail/mail.module.js';
import { OutboxModule } from '../infra/outbox/outbox.module.js';
import { PolicyModule } from '../policy/index.js';
import { ComplianceModule } from '../compliance/index.js';
import { SessionsModule } from '../sessions/index.js';
import { AuthController } from './auth.controller.js';
import { AccessRefusals } from './access-refusals.js';
import { AuthenticationGuard } from './authentication.guard.js';
import { TenantScopeInterceptor } from './tenant-scope.interceptor.js';
import { ChangePasswordHandler } from './commands/change-password.handler.js';
import { LoginHandler } from './commands/login.handler.js';
import { VerifyMfaChallengeHandler } from './commands/verify-mfa-challenge.handler.js';
import { DeliverMfaLockedNoticeHandler } from './commands/deliver-mfa-locked-notice.handler.js';
import { DeliverSecurityNoticeHandler } from './commands/deliver-security-notice.handler.js';
import { PurgeSpentMfaRecordsHandler } from './commands/purge-spent-mfa-records.handler.js';
import { CHALLENGE_METHODS } from './challenge-methods/challenge-method.js';
import { ChallengeMethods } from './challenge-methods/challenge-methods.js';
import { TotpChallengeMethod } from './challenge-methods/totp-challenge-method.js';
import { EmailChallengeMethod } from './challenge-methods/email-challenge-method.js';
import { ChallengeEmailController } from './challenge-email.controller.js';
import { BackupCodeChallengeMethod } from './challenge-methods/backup-code-challenge-method.js';
import { WebauthnChallengeMethod } from './challenge-methods/webauthn-challenge-method.js';
import { BeginPasskeyAssertionHandler } from './commands/begin-passkey-assertion.handler.js';
import { PasskeyPromptsController } from './passkey-prompts.controller.js';
import { PasskeySignInController } from './passkey-sign-in/passkey-sign-in.controller.js';
import { PasskeySignInGate } from './passkey-sign-in/passkey-sign-in-gate.js';
import { LoginFailures } from './login-failures.js';
import { BeginPasskeySignInHandler, SignInWithPasskeyHandler } from './passkey-sign-in/passkey-sign-in.handlers.js';
import { LoginThrottle } from './login-throttle.js';
import { FamiliarClients } from './familiar-clients.js';
import { KnownNetworks } from './known-networks.js';
import { PasswordController } from './password.controller.js';
import { MeController } from './me.controller.js';
import { StepUpHandler } from './commands/step-up.handler.js';
import { StepUpController } from './step-up.controller.js';
import { StepUpEmailController } from './step-up-email.controller.js';
import { SendChallengeEmailCodeHandler } from './commands/send-challenge-email-code.handler.js';
import { SendStepUpEmailCodeHandler } from './commands/send-step-up-email-code.handler.js';

@Module({
  imports: [
    AuditModule,
    IdentityModule,
    SessionsModule,
    FactorsModule,
    OutboxModule,
    MailModule,
    PolicyModule,
    ComplianceModule,
  ],
  controllers: [
    AuthController,
    PasswordController,
    StepUpController,
    StepUpEmailController,
    MeController,
    ChallengeEmailController,
    PasskeyPromptsController,
    PasskeySignInController,
  ],
  providers: [
    LoginHandler,
    VerifyMfaChallengeHandler,
    SendChallengeEmailCodeHandler,
    SendStepUpEmailCodeHandler,
    DeliverMfaLockedNoticeHandler,
    DeliverSecurityNoticeHandler,
    PurgeSpentMfaRecordsHandler,
    ChallengeMethods,
    TotpChallengeMethod,
    BackupCodeChallengeMethod,
    EmailChallengeMethod,
    WebauthnChallengeMethod,
    BeginPasskeyAssertionHandler,
    PasskeySignInGate,
    LoginFailures,
    BeginPasskeySignInHandler,
    SignInWithPasskeyHandler,
    // Every way to answer a challenge, in the order a login offers them: the phishing-resistant one first.
    {
      provide: CHALLENGE_METHODS,
      inject: [WebauthnChallengeMethod, TotpChallengeMethod, BackupCodeChallengeMethod, EmailChallengeMethod],
      useFactory: (...methods: unknown[]) => methods,
    },
    ChangePasswordHandler,
    StepUpHandler,
    LoginThrottle,
    KnownNetworks,
    FamiliarClients,
    AccessRefusals,
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_INTERCEPTOR, useClass: TenantScopeInterceptor },
  ],
  exports: [AccessRefusals, PasskeySignInGate],
})
export class AuthModule {}
