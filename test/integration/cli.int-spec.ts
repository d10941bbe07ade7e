import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { AppConfig } from '../../src/common/app-config.js';
import { PasswordHasher } from '../../src/common/crypto/password-hasher.js';
import { hashToken } from '../../src/common/crypto/tokens.js';
import { cli } from '../support/cli.js';
import { createTestDatabase, databaseUrl, dropDatabase, withAdminClient } from '../support/postgres.js';
import { testConfig } from '../support/test-env.js';
import { MIGRATIONS } from '../../src/infra/database/migrations/index.js';

/** The one line of `out` that starts with `label`, without the label. */
function printed(out: string, label: string): string {
  const line = out.split('\n').find((l) => l.startsWith(label));
  if (!line) throw new Error(`no "${label}" line in:\n${out}`);
  return line.slice(label.length).trim();
}

describe('operator CLI', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let config: AppConfig;
  let sql: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    config = testConfig(db.url);
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql.end();
    await db.drop();
  });

  const one = async (query: string, params: unknown[]) => (await sql.query(query, params)).rows[0];

  it('creates a tenant whose admin signs in with the password printed once', async () => {
    const run = await cli(
      config,
      'tenant',
      'create',
      '--slug',
      'acme',
      '--name',
      'Acme Corp',
      '--admin-email',
      'Boss@Acme.example',
    );
    expect(run).toMatchObject({ code: 0, err: '' });
    const password = printed(run.out, 'admin password (shown once):');
    expect(password.length).toBeGreaterThanOrEqual(12);

    const admin = await one(
      `select u.id, u.roles, u.password_hash from users u join tenants t on t.id = u.tenant_id where t.slug = $1 and u.email = $2`,
      ['acme', 'boss@acme.example'],
    );
    expect(admin.roles).toEqual(['admin']);
    expect(await new PasswordHasher().verify(admin.password_hash, password)).toBe(true);
    expect(run.out).toContain(`(id ${admin.id})`);
  });

  it('keeps a given admin password and prints none', async () => {
    const run = await cli(
      config,
      'tenant',
      'create',
      '--slug',
      'given',
      '--name',
      'Given',
      '--admin-email',
      'a@given.example',
      '--admin-password',
      'a long given passphrase',
    );
    expect(run.code).toBe(0);
    expect(run.out).not.toContain('password');
    const admin = await one(`select password_hash from users where email = $1`, ['a@given.example']);
    expect(await new PasswordHasher().verify(admin.password_hash, 'a long given passphrase')).toBe(true);
  });

  it('records what it does in the audit log as the operator "cli"', async () => {
    await cli(
      config,
      'tenant',
      'create',
      '--slug',
      'audited',
      '--name',
      'Audited',
      '--admin-email',
      'a@audited.example',
    );
    const rows = await sql.query(
      `select e.action, e.actor_type, e.actor_id from audit_events e join tenants t on t.id::text = e.chain_key where t.slug = $1 order by e.seq`,
      ['audited'],
    );
    expect(rows.rows).toEqual([
      { action: 'TenantCreated', actor_type: 'operator', actor_id: 'cli' },
      { action: 'UserCreated', actor_type: 'operator', actor_id: 'cli' },
    ]);
    expect(await cli(config, 'audit', 'verify', '--tenant', 'audited')).toMatchObject({ code: 0 });
  });

  it('refuses a taken slug with the domain error and exit code 1', async () => {
    await cli(config, 'tenant', 'create', '--slug', 'taken', '--name', 'Taken', '--admin-email', 'a@taken.example');
    const run = await cli(
      config,
      'tenant',
      'create',
      '--slug',
      'taken',
      '--name',
      'Again',
      '--admin-email',
      'b@taken.example',
    );
    expect(run.code).toBe(1);
    expect(run.err).toBe('error: conflict: The tenant slug "taken" is taken');
  });

  it('adds users to a tenant, with the roles given', async () => {
    await cli(config, 'tenant', 'create', '--slug', 'users', '--name', 'Users', '--admin-email', 'a@users.example');
    const run = await cli(
      config,
      'user',
      'create',
      '--tenant',
      'users',
      '--email',
      'pat@users.example',
      '--roles',
      'manager, member',
    );
    expect(run.code).toBe(0);
    const password = printed(run.out, 'password (shown once):');
    const user = await one(`select roles, password_hash from users where email = $1`, ['pat@users.example']);
    expect(user.roles).toEqual(['manager', 'member']);
    expect(await new PasswordHasher().verify(user.password_hash, password)).toBe(true);

    const again = await cli(
      config,
      'user',
      'create',
      '--tenant',
      'users',
      '--email',
      'pat@users.example',
      '--roles',
      'member',
    );
    expect(again).toMatchObject({ code: 1, err: expect.stringMatching(/^error: conflict: /) });
  });

  it('answers not_found for a tenant that does not exist', async () => {
    const run = await cli(
      config,
      'user',
      'create',
      '--tenant',
      'nobody',
      '--email',
      'x@nobody.example',
      '--roles',
      'member',
    );
    expect(run).toMatchObject({ code: 1, err: 'error: not_found: Tenant "nobody" not found' });
    expect((await cli(config, 'audit', 'verify', '--tenant', 'nobody')).code).toBe(1);
  });

  it('creates an API key, printed once and stored only as its hash', async () => {
    await cli(config, 'tenant', 'create', '--slug', 'keys', '--name', 'Keys', '--admin-email', 'a@keys.example');
    const run = await cli(
      config,
      'apikey',
      'create',
      '--tenant',
      'keys',
      '--name',
      'siem',
      '--scopes',
      'audit:read,sessions:disconnect',
    );
    expect(run.code).toBe(0);
    const key = printed(run.out, 'key (shown once):');
    expect(key).toMatch(/^sgk_[A-Za-z0-9_-]{43}$/);
    const row = await one(
      `select k.scopes, k.key_hash, k.created_by from api_keys k join tenants t on t.id = k.tenant_id where t.slug = $1`,
      ['keys'],
    );
    expect(row).toEqual({ scopes: ['audit:read', 'sessions:disconnect'], key_hash: hashToken(key), created_by: null });
    expect((await sql.query('select 1 from api_keys where key_hash = $1', [key])).rowCount).toBe(0);
  });

  it('answers usage errors with the usage on stderr and exit code 2, before touching anything', async () => {
    const tenant = ['tenant', 'create', '--slug', 'xy', '--name', 'X', '--admin-email', 'a@xy.example'];
    const usage: [string[], string][] = [
      [[], 'no command given'],
      [['tenant'], 'unknown command: tenant'],
      [['tenant', 'delete', '--slug', 'xy'], 'unknown command: tenant delete'],
      [['frobnicate'], 'unknown command: frobnicate'],
      [tenant.slice(0, 6), '--admin-email is required'],
      [[...tenant, '--colour', 'red'], "tenant create: Unknown option '--colour'"],
      [[...tenant, 'extra'], "tenant create: Unexpected argument 'extra'"],
      [[...tenant, '--slug'], "tenant create: Option '--slug <value>' argument missing"],
      [tenant.map((a) => (a === 'a@xy.example' ? 'not-an-email' : a)), '--admin-email: '],
      [tenant.map((a) => (a === 'xy' ? 'Bad Slug' : a)), '--slug: must be 2-63 lower-case letters'],
      [[...tenant, '--admin-password', 'short'], '--admin-password: must be at least 12 characters'],
      [['user', 'create', '--tenant', 'acme', '--email', 'a@acme.example', '--roles', 'emperor'], '--roles: '],
      [['user', 'create', '--tenant', 'acme', '--email', 'a@acme.example', '--roles', ','], '--roles: '],
      [['apikey', 'create', '--tenant', 'acme', '--name', 'k', '--scopes', 'everything'], '--scopes: '],
      [['audit', 'verify'], 'give either --tenant S or --platform'],
      [['audit', 'verify', '--tenant', 'acme', '--platform'], 'give either --tenant S or --platform'],
      [['migrate', '--now'], "migrate: Unknown option '--now'"],
    ];
    for (const [argv, message] of usage) {
      const run = await cli(config, ...argv);
      expect({
        argv,
        code: run.code,
        out: run.out,
        error: run.err.split('\n')[0]!.startsWith(`error: ${message}`),
      }).toEqual({
        argv,
        code: 2,
        out: '',
        error: true,
      });
      expect(run.err).toContain('\nusage: npm run stepguard -- <command> [flags]');
    }
    expect(await one(`select count(*)::int as n from tenants where slug = 'xy'`, [])).toEqual({ n: 0 });
  });

  it('prints the usage on --help with exit code 0', async () => {
    const run = await cli(config, '--help');
    expect(run.code).toBe(0);
    expect(run.out).toContain('tenant create --slug S --name N --admin-email E [--admin-password P]');
    expect(run.out).toContain('audit verify (--tenant S | --platform)');
  });

  describe('migrate', () => {
    const name = `stepguard_test_empty_${randomBytes(4).toString('hex')}`;
    beforeAll(() => withAdminClient((c) => c.query(`create database ${name}`)));
    afterAll(() => dropDatabase(name));

    it('applies the pending migrations to an empty database, then finds none pending', async () => {
      const empty = testConfig(databaseUrl(name));
      const before = await cli(
        empty,
        'tenant',
        'create',
        '--slug',
        'early',
        '--name',
        'Early',
        '--admin-email',
        'a@early.example',
      );
      expect(before).toMatchObject({ code: 1, err: expect.stringContaining('migrate') });

      const first = await cli(empty, 'migrate');
      expect(first).toMatchObject({
        code: 0,
        out: MIGRATIONS.map((m) => `applied ${m.name}`).join('\n'),
      });
      expect(await cli(empty, 'migrate')).toMatchObject({
        code: 0,
        out: 'no pending migrations: the database is up to date',
      });
      expect(
        (await cli(empty, 'tenant', 'create', '--slug', 'late', '--name', 'Late', '--admin-email', 'a@late.example'))
          .code,
      ).toBe(0);
    });
  });
});
