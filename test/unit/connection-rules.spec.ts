import { describe, expect, it } from '@jest/globals';
import { Session, type AuthMethod } from '../../src/sessions/session.entity.js';
import { connectionRefusal } from '../../src/live/connection-rules.js';

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
const open = { connectionPolicy: { totpPriorConnection: false }, reauthMaxAgeMinutes: 10 };
const strict = { connectionPolicy: { totpPriorConnection: true }, reauthMaxAgeMinutes: 10 };

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

  it('does not count a factor enrolled in the session (proving a new factor is not proving who you are)', () => {
    const session = aSession(['pwd']);
    session.recordFactorProven('otp');
    expect(connectionRefusal(session, strict, start)).toBe('step_up_required');
  });
});
