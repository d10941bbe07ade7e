import { describe, expect, it } from '@jest/globals';
import { assertRecentlyAuthenticated } from '../../src/identity/recent-auth.js';
import { Session } from '../../src/sessions/session.entity.js';

const minute = 60_000;
const start = new Date('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(start.getTime() + ms);
const aSession = () =>
  new Session({
    tenantId: 't',
    userId: 'u',
    tokenHash: 'h',
    amr: ['pwd'],
    device: { deviceType: 'desktop', browser: null, os: null, userAgent: null, ip: null, location: null },
    now: start,
    absoluteTimeoutMs: 600 * minute,
    idleTimeoutMs: 30 * minute,
  });

describe('the re-auth window', () => {
  it('accepts a check exactly at the edge of the window and refuses one a millisecond past it', () => {
    const session = aSession();
    expect(() => assertRecentlyAuthenticated(session, at(10 * minute), 10)).not.toThrow();
    expect(() => assertRecentlyAuthenticated(session, at(10 * minute + 1), 10)).toThrow(
      expect.objectContaining({ code: 'reauth_required' }),
    );
  });

  it('restarts the window at a step-up and adds the method to amr once', () => {
    const session = aSession();
    session.recordStepUp('otp', at(11 * minute));
    session.recordStepUp('otp', at(12 * minute));
    expect(session.authenticatedAt).toEqual(at(12 * minute));
    expect(session.amr).toEqual(['pwd', 'otp']);
    expect(session.aal).toBe(2);
    expect(() => assertRecentlyAuthenticated(session, at(21 * minute), 10)).not.toThrow();
  });
});
