import { describe, expect, it } from '@jest/globals';
import { permissionsOf } from '../../src/common/access/roles.js';

describe('roles', () => {
  it('grants admins every permission', () => {
    expect([...permissionsOf(['admin'])].sort()).toEqual([
      'audit:read',
      'sessions:manage',
      'tenant:manage',
      'users:read',
    ]);
  });

  it('lets managers read users and manage sessions, nothing more', () => {
    expect([...permissionsOf(['manager'])].sort()).toEqual(['sessions:manage', 'users:read']);
  });

  it('gives members no administrative permission', () => {
    expect(permissionsOf(['member']).size).toBe(0);
  });

  it('unions the permissions of several roles', () => {
    expect(permissionsOf(['member', 'manager']).has('sessions:manage')).toBe(true);
  });
});
