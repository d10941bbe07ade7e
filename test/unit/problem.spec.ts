import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { type ArgumentsHost, Logger } from '@nestjs/common';
import { PostgreSqlPlatform } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { DomainError } from '../../src/common/errors/domain-error.js';
import { ProblemFilter } from '../../src/common/errors/problem.filter.js';
import { problemFor } from '../../src/common/errors/problem.js';
import { UNSTORABLE, unstorableStrings, ZodPipe } from '../../src/http/zod-body.pipe.js';
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

  /** The field errors of the validation_failed error that `run` throws. */
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      expect(error).toMatchObject({ code: 'validation_failed' });
      return (error as DomainError).extra.errors;
    }
    throw new Error('expected a validation error');
  };

  it('refuses NUL and unpaired surrogates before the schema runs, naming the field', () => {
    for (const bad of ['a\u0000b@example.com', 'a\ud800b@example.com']) {
      const errors = refusal(() => pipe.transform({ email: bad, roles: ['admin'] }));
      expect(errors).toEqual([{ field: 'email', message: UNSTORABLE }]);
    }
  });

  it('names a route parameter by its name', () => {
    const param = new ZodPipe(z.uuid());
    const meta = { type: 'param', data: 'id' } as const;
    expect(refusal(() => param.transform('nope', meta))).toEqual([{ field: 'id', message: expect.any(String) }]);
    expect(refusal(() => param.transform('a\u0000b', meta))).toEqual([{ field: 'id', message: UNSTORABLE }]);
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

/** What the problem filter sends for `exception`, through a minimal express-like response. */
function filtered(exception: unknown): { status: number; body: any; headers: Record<string, string> } {
  const sent = { status: 0, body: '', headers: {} as Record<string, string> };
  const res = {
    headersSent: false,
    status: (code: number) => ((sent.status = code), res),
    type: () => res,
    setHeader: (name: string, value: string) => ((sent.headers[name.toLowerCase()] = value), res),
    send: (body: string) => ((sent.body = body), res),
  };
  const http = { getResponse: () => res, getRequest: () => ({ originalUrl: '/v1/x' }) };
  const host = { getType: () => 'http', switchToHttp: () => http } as unknown as ArgumentsHost;
  new ProblemFilter().catch(exception, host);
  return { status: sent.status, body: JSON.parse(sent.body), headers: sent.headers };
}

/** A PostgreSQL error as MikroORM 7 hands it on: the pg error wrapped by the platform's converter. */
function databaseError(sqlState: string) {
  const pgError = Object.assign(new Error(`insert into "api_keys" ("name") values ('hunter2') - bad value`), {
    code: sqlState,
    detail: 'value hunter2',
  });
  return new PostgreSqlPlatform().getExceptionConverter().convertException(pgError);
}

describe('ProblemFilter', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each(['22021', '22P05', '22P02', '22001'])(
    'answers a database refusal only bad input causes (SQLSTATE %s) with 400, quoting no SQL',
    (sqlState) => {
      const { status, body } = filtered(databaseError(sqlState));
      expect({ status, code: body.code }).toEqual({ status: 400, code: 'validation_failed' });
      expect(JSON.stringify(body)).not.toMatch(/insert|api_keys|hunter2/);
      expect(JSON.stringify(jest.mocked(Logger.prototype.warn).mock.calls)).not.toContain('hunter2');
    },
  );

  /** How PostgreSQL going away reaches the filter: raw from `pg`, or converted by MikroORM. */
  const unreachable: [string, () => Error][] = [
    [
      'a refused connection',
      () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['a refused connection, converted', () => databaseError('ECONNREFUSED')],
    ['the server shutting down (57P01)', () => databaseError('57P01')],
    ['the server starting up (57P03)', () => databaseError('57P03')],
    ['a connection failure (08006)', () => databaseError('08006')],
    ['a write on a standby after a failover (25006)', () => databaseError('25006')],
    ['a connection cut under a query', () => new Error('Connection terminated unexpectedly')],
    ['a connection not made in time', () => new Error('Connection terminated due to connection timeout')],
  ];
  it.each(unreachable)('answers %s with 503 and Retry-After, quoting nothing of it', (_, error) => {
    const { status, body, headers } = filtered(error());
    expect({ status, code: body.code }).toEqual({ status: 503, code: 'service_unavailable' });
    expect(headers['retry-after']).toBe('5');
    expect(JSON.stringify(body)).not.toMatch(/api_keys|hunter2|10\.0\.0\.5|terminated|timeout/);
  });

  it.each([
    ['too many connections (53300)', () => databaseError('53300')],
    ['a pool full for too long', () => new Error('timeout exceeded when trying to connect')],
  ])('keeps any other database failure, such as %s, a 500 with a generic detail', (_, error) => {
    const { status, body } = filtered(error());
    expect({ status, code: body.code, detail: body.detail }).toEqual({
      status: 500,
      code: 'internal_error',
      detail: 'An unexpected error occurred',
    });
  });
});

describe('unstorableStrings', () => {
  it('accepts ordinary text, astral characters (paired surrogates) included', () => {
    expect(unstorableStrings({ name: 'Zoë 🚀', tags: ['a', { deep: 'ok' }], n: 1, b: null })).toEqual([]);
  });

  it('names every string holding a NUL or an unpaired surrogate, nested or not', () => {
    const input = { tenant: 'a\u0000b', admin: { email: 'x\ud800' }, roles: ['ok', '\udc00y'], ok: 'fine' };
    expect(unstorableStrings(input)).toEqual([
      { field: 'tenant', message: UNSTORABLE },
      { field: 'admin.email', message: UNSTORABLE },
      { field: 'roles.1', message: UNSTORABLE },
    ]);
  });

  it('checks field names as well as values', () => {
    expect(unstorableStrings({ 'a\u0000': 'v' })).toEqual([{ field: 'a\u0000', message: UNSTORABLE }]);
  });

  it('names a bare route parameter by the name it is given', () => {
    expect(unstorableStrings('a\u0000b', 'id')).toEqual([{ field: 'id', message: UNSTORABLE }]);
  });

  it('refuses nesting deeper than any request needs instead of recursing without bound', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(unstorableStrings({ a: deep })).toEqual([{ field: `a${'.0'.repeat(15)}`, message: 'is nested too deeply' }]);
  });

  it('reports at most ten fields, however many are bad', () => {
    expect(unstorableStrings(Array.from({ length: 1000 }, () => '\u0000'))).toHaveLength(10);
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
