import { describe, expect, it } from '@jest/globals';
import { Session, type AuthMethod } from '../../src/sessions/session.entity.js';
import { clientAppRefusal, connectionRefusal } from '../../src/live/connection-rules.js';

const minute = 60_000;
const start = new Date('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(start.getTime() + ms);
const aSession = (amr: AuthMethod[]) =>
  new Session({
    tenantId: 't',
    userId: 'u',
    tokenHash: 'h',
    amr,
    device: { deviceType: 'desktop', browser: null, os: null, userAgent: null, ip: null, location: null },
    now: start,
    absoluteTimeoutMs: 600 * minute,
    idleTimeoutMs: 600 * minute,
  });
const open = {
  connectionPolicy: { totpPriorConnection: false, biometricPriorConnection: false },
  reauthMaxAgeMinutes: 10,
};
const strict = {
  connectionPolicy: { totpPriorConnection: true, biometricPriorConnection: false },
  reauthMaxAgeMinutes: 10,
};
const biometric = {
  connectionPolicy: { totpPriorConnection: false, biometricPriorConnection: true },
  reauthMaxAgeMinutes: 10,
};

describe('connectionRefusal', () => {
  it('admits a live session, and refuses an enrol-only one as unauthorized', () => {
    const session = aSession(['pwd']);
    expect(connectionRefusal(session, open, start)).toBeNull();
    session.enrollmentOnly = true;
    expect(connectionRefusal(session, open, start)).toBe('unauthorized');
  });

  it('refuses a session with a pending step-up until a step-up clears it', () => {
    const session = aSession(['pwd', 'otp']);
    session.stepUpRequiredAt = at(minute);
    session.stepUpReason = 'SIEM';
    expect(connectionRefusal(session, open, at(2 * minute))).toBe('step_up_required');
    session.recordStepUp('otp', at(3 * minute));
    expect(session.stepUpRequiredAt).toBeNull();
    expect(connectionRefusal(session, open, at(3 * minute))).toBeNull();
  });

  it('with totpPriorConnection, needs a factor verified in the session within the window, to the millisecond', () => {
    const session = aSession(['pwd', 'otp']);
    expect(connectionRefusal(session, strict, at(10 * minute))).toBeNull();
    expect(connectionRefusal(session, strict, at(10 * minute + 1))).toBe('step_up_required');
    session.recordStepUp('otp', at(20 * minute));
    expect(connectionRefusal(session, strict, at(30 * minute))).toBeNull();
  });

  it('with totpPriorConnection, counts neither a password nor a remembered device as a factor check', () => {
    expect(connectionRefusal(aSession(['pwd']), strict, start)).toBe('step_up_required');
    expect(connectionRefusal(aSession(['pwd', 'remembered_device']), strict, start)).toBe('step_up_required');
    for (const method of ['otp', 'email', 'backup_code'] as const) {
      expect(connectionRefusal(aSession(['pwd', method]), strict, start)).toBeNull();
    }
  });

  it('with biometricPriorConnection, needs a user-verified passkey assertion within the window; a code is not one', () => {
    for (const method of ['otp', 'email', 'backup_code', 'webauthn'] as const) {
      expect(connectionRefusal(aSession(['pwd', method]), biometric, start)).toBe('step_up_required');
    }
    const session = aSession(['pwd', 'otp']);
    session.recordStepUp('webauthn', at(minute), false);
    expect(connectionRefusal(session, biometric, at(minute))).toBe('step_up_required');
    session.recordStepUp('webauthn', at(2 * minute), true);
    expect(connectionRefusal(session, biometric, at(12 * minute))).toBeNull();
    expect(connectionRefusal(session, biometric, at(12 * minute + 1))).toBe('step_up_required');
  });

  it('does not count a factor enrolled in the session (proving a new factor is not proving who you are)', () => {
    const session = aSession(['pwd']);
    session.recordFactorProven('otp');
    expect(connectionRefusal(session, strict, start)).toBe('step_up_required');
  });
});

describe('clientAppRefusal (a console session, by its user’s standing under the client app’s rules)', () => {
  const deadline = at(minute);

  it('refuses a user past the client app’s deadline, whatever the session’s assurance', () => {
    for (const amr of [['pwd'], ['pwd', 'otp']] as AuthMethod[][]) {
      expect(clientAppRefusal(aSession(amr), { status: 'overdue', deadline })).toBe('mfa_enrollment_required');
    }
  });

  it('makes an enrolled user’s aal-1 session step up; a factor or a remembered device is aal 2', () => {
    expect(clientAppRefusal(aSession(['pwd']), { status: 'compliant' })).toBe('step_up_required');
    const steppedUp = aSession(['pwd']);
    steppedUp.recordStepUp('otp', at(minute));
    expect(clientAppRefusal(steppedUp, { status: 'compliant' })).toBeNull();
    expect(clientAppRefusal(aSession(['pwd', 'remembered_device']), { status: 'compliant' })).toBeNull();
  });

  it('asks nothing more in grace, of an exempt user, or of a session that has no client standing', () => {
    expect(clientAppRefusal(aSession(['pwd']), { status: 'grace', deadline })).toBeNull();
    expect(clientAppRefusal(aSession(['pwd']), { status: 'exempt' })).toBeNull();
    expect(clientAppRefusal(aSession(['pwd']), null)).toBeNull();
  });
});
