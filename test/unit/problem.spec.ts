import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { DomainError } from '../../src/common/errors/domain-error.js';
import { problemFor } from '../../src/common/errors/problem.js';
import { ZodPipe } from '../../src/common/http/zod-body.pipe.js';
import { trustProxySetting } from '../../src/http/trusted-proxy.js';

describe('problem details', () => {
  it('maps a domain error to RFC 9457 fields with its stable code', () => {
    const p = problemFor(
      new DomainError('too_many_attempts', 'Slow down', { retryAfterSeconds: 30, debug: 'secret detail' }),
    );
    expect(p).toEqual({
      type: 'https://stepguard.dev/problems/too-many-attempts',
      title: 'Too many attempts',
      status: 429,
      detail: 'Slow down',
      code: 'too_many_attempts',
    });
    expect(JSON.stringify(p)).not.toContain('secret detail');
  });
});

describe('ZodPipe', () => {
  const pipe = new ZodPipe(z.object({ email: z.email(), roles: z.array(z.enum(['admin'])) }).strict());

  it('passes valid input through', () => {
    expect(pipe.transform({ email: 'a@b.example', roles: ['admin'] })).toEqual({
      email: 'a@b.example',
      roles: ['admin'],
    });
  });

  it('reports every field at fault, unknown ones included', () => {
    try {
      pipe.transform({ email: 'nope', roles: ['root'], extra: 1 });
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      const e = error as DomainError;
      expect(e.code).toBe('validation_failed');
      expect(e.extra.errors!.map((x) => x.field).sort()).toEqual(['email', 'extra', 'roles.0']);
    }
  });
});

describe('trustProxySetting', () => {
  it('trusts nobody by default so X-Forwarded-For cannot spoof the client address', () => {
    expect(trustProxySetting('')).toBe(false);
  });

  it('reads a comma-separated list of addresses and subnets', () => {
    expect(trustProxySetting(' 10.0.0.0/8, loopback ')).toEqual(['10.0.0.0/8', 'loopback']);
  });
});
