import { describe, expect, it } from '@jest/globals';
import { Session, type AuthMethod } from '../../src/sessions/session.entity.js';

const device = {
  deviceType: 'desktop',
  browser: 'Firefox 133',
  os: 'Linux',
  userAgent: 'ua',
  ip: '192.0.2.1',
  location: null,
};
const minute = 60_000;
const aSession = (amr: AuthMethod[] = ['pwd'], now = new Date('2030-01-01T00:00:00Z')) =>
  new Session({
    tenantId: 't',
    userId: 'u',
    tokenHash: 'h',
    amr,
    device,
    now,
    absoluteTimeoutMs: 600 * minute,
    idleTimeoutMs: 30 * minute,
  });
const at = (ms: number) => new Date(Date.parse('2030-01-01T00:00:00Z') + ms);

describe('Session', () => {
  it('derives aal 1 from a password alone and aal 2 once a factor was used', () => {
    expect(aSession(['pwd']).aal).toBe(1);
    expect(aSession(['pwd', 'otp']).aal).toBe(2);
    expect(aSession(['pwd', 'remembered_device']).aal).toBe(2);
  });

  it('is active until the idle timeout after its last activity', () => {
    const s = aSession();
    expect(s.isActiveAt(at(30 * minute - 1))).toBe(true);
    expect(s.isActiveAt(at(30 * minute))).toBe(false);
    s.lastActiveAt = at(20 * minute);
    expect(s.isActiveAt(at(49 * minute))).toBe(true);
  });

  it('is never active past its absolute expiry, however recent its activity', () => {
    const s = aSession();
    s.lastActiveAt = at(599 * minute);
    expect(s.isActiveAt(at(600 * minute - 1))).toBe(true);
    expect(s.isActiveAt(at(600 * minute))).toBe(false);
  });

  it('is revoked once, with the first reason kept', () => {
    const s = aSession();
    expect(s.revoke('logout', at(1))).toBe(true);
    expect(s.revoke('admin_revoked', at(2))).toBe(false);
    expect(s.revokedReason).toBe('logout');
    expect(s.isActiveAt(at(3))).toBe(false);
  });

  it('asks for an activity write only once a minute has passed', () => {
    const s = aSession();
    expect(s.needsActivityWrite(at(minute - 1))).toBe(false);
    expect(s.needsActivityWrite(at(minute))).toBe(true);
  });
});
