import { Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { userActivityOf } from '../audit/index.js';
import { CurrentPrincipal } from '../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../common/access/principal-read.js';
import { UnitOfWork } from '../common/cqrs/unit-of-work.js';
import { MFA_OF_USER } from '../compliance/index.js';
import { deviceInfoOf, type SessionPrincipal } from '../sessions/index.js';
import { PageController } from './page-controller.js';
import { PageFrames } from './page-frames.js';
import { PageRenderer } from './page-renderer.js';

const PAGE_SIZE = 25;

/** What each audited action means to the person it is about; others show under a general name. */
const ACTIONS: Record<string, string> = {
  LoginSucceeded: 'Signed in',
  LoginFailed: 'Sign-in refused',
  MfaChallengeIssued: 'Asked for a second step at sign-in',
  MfaChallengeSucceeded: 'Passed the second step at sign-in',
  MfaChallengeFailed: 'Wrong code at sign-in',
  SecondFactorRefused: 'Code refused',
  EmailCodeSent: 'Sign-in code e-mailed',
  EmailCodeRefused: 'E-mailed code refused',
  BackupCodeUsed: 'Backup code used',
  BackupCodesGenerated: 'Backup codes made',
  BackupCodesRegenerated: 'New backup codes made',
  DeviceRemembered: 'Device remembered',
  RememberedDevicesForgotten: 'Remembered devices forgotten',
  FactorEnrollmentStarted: 'Started adding a sign-in method',
  FactorEnrolled: 'Sign-in method added',
  FactorVerificationFailed: 'Wrong code while adding a sign-in method',
  FactorRemoved: 'Sign-in method removed',
  FactorRenamed: 'Sign-in method renamed',
  PasskeyCloneSuspected: 'A copy of your passkey was refused',
  FactorLocked: 'Sign-in locked after wrong codes',
  PasswordChanged: 'Password changed',
  SessionCreated: 'Signed in',
  SessionRevoked: 'Session ended',
  SessionTokenRotated: 'Session renewed',
  SessionDisconnected: 'Disconnected',
  StepUpRequested: 'Asked to verify it is you',
  StepUpSucceeded: 'Verified it is you',
  StepUpFailed: 'Verification refused',
  MfaResetRequested: 'Two-step sign-in reset by an administrator',
  MfaResetLinkUsed: 'Reset link opened',
  MfaResetCompleted: 'Two-step sign-in reset completed',
  MfaGracePeriodExpired: 'Time to set up two-step sign-in ran out',
  UserCreated: 'Account created',
  UserRolesChanged: 'Roles changed',
  AccessDenied: 'Access refused',
};

const ACTORS: Record<string, string> = {
  // Only administrators (and managers) act on another user's account.
  user: 'an administrator',
  api_key: 'an integration',
  operator: 'the server operator',
  system: 'Stepguard',
  anonymous: 'someone not signed in',
};

/**
 * The user's own recent security events, newest first, from their tenant's audit log: entries whose
 * actor or target is this user (the audit slice's `userActivityOf`), nothing of anyone else's. Older
 * pages by `?before=<seq>`.
 */
@PageController('account/activity')
export class ActivityPages {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  @ReadsWithPrincipal(MFA_OF_USER)
  async list(@CurrentPrincipal() p: SessionPrincipal, @Query('before') before: unknown, @Res() res: Response) {
    const cursor = typeof before === 'string' && /^\d{1,15}$/.test(before) ? Number(before) : undefined;
    const { frame } = await this.frames.forUser(p, 'Recent activity', 'activity');
    const page = await userActivityOf(
      this.uow.reader(),
      { tenantId: p.tenantId, userId: p.userId },
      { before: cursor, limit: PAGE_SIZE },
    );
    const entries = page.entries.map((e) => {
      const device = e.userAgent ? deviceInfoOf({ userAgent: e.userAgent, ip: null, location: null }) : null;
      const software = device ? [device.browser, device.os].filter(Boolean).join(' on ') : '';
      return {
        occurredAt: e.occurredAt.toISOString(),
        what: ACTIONS[e.action] ?? e.action.replace(/([a-z])([A-Z])/g, '$1 $2'),
        failed: e.outcome === 'failure',
        by: e.byUser ? null : `By ${ACTORS[e.actorType] ?? 'someone else'}`,
        ip: e.ip,
        device: software || null,
      };
    });
    this.pages.send(res, 'activity', frame, {
      entries,
      older: page.nextBefore === null ? null : `/account/activity?before=${page.nextBefore}`,
      paged: cursor !== undefined,
      pager: cursor !== undefined || page.nextBefore !== null,
    });
  }
}
