import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { ENTITIES } from '../../src/app/entities.js';
import { AuditSink } from '../../src/audit/stream/audit-sink.entity.js';
import { AuditEvent } from '../../src/audit/audit-event.entity.js';
import { MfaChallenge } from '../../src/auth/mfa-challenge.entity.js';
import { MfaGraceNotice } from '../../src/compliance/grace/mfa-grace-notice.entity.js';
import { TenantScope, TenantScopeMissingError } from '../../src/common/tenant-scope.js';
import { BackupCode } from '../../src/factors/backup-codes/backup-code.entity.js';
import { EmailCode } from '../../src/factors/email/email-code.entity.js';
import { WebauthnChallenge } from '../../src/factors/webauthn/webauthn-challenge.entity.js';
import { Factor } from '../../src/factors/factor.entity.js';
import { MfaReset } from '../../src/factors/mfa-reset/mfa-reset.entity.js';
import { MfaFailureStreak } from '../../src/factors/verification/mfa-failure-streak.entity.js';
import { ApiKey } from '../../src/identity/api-key.entity.js';
import { RegisteredApp } from '../../src/identity/apps/app.entity.js';
import { Tenant } from '../../src/identity/tenant.entity.js';
import { User } from '../../src/identity/user.entity.js';
import { ormConfig } from '../../src/infra/database/orm-config.js';
import { OutboxMessage } from '../../src/infra/outbox/outbox-message.entity.js';
import { MfaPolicyVersion } from '../../src/policy/mfa-policy-version.entity.js';
import { defaultPolicy } from '../../src/policy/mfa-policy.js';
import { MfaScopeStart } from '../../src/policy/scope/mfa-scope-start.entity.js';
import { RememberedDevice } from '../../src/sessions/remembered-devices/remembered-device.entity.js';
import { Session } from '../../src/sessions/session.entity.js';
import { createTestDatabase } from '../support/postgres.js';

const now = new Date('2030-01-01T00:00:00Z');
const device = { deviceType: 'desktop', browser: null, os: null, userAgent: null, ip: null, location: null };

type Owner = { tenantId: string; userId: string; factorId: string };

/**
 * One row of each tenant-owned entity for an owner. An entity with a `tenantId` that is missing here
 * fails the first test: add it, and the rest of this file then checks it is scoped like the others.
 */
const ROW_OF: Record<string, (o: Owner) => object> = {
  User: () => ({}), // the owner itself, made first
  Factor: () => ({}), // the owner's factor, made first
  ApiKey: (o) => new ApiKey({ ...o, name: 'k', keyHash: randomUUID(), scopes: [], createdBy: null, now }),
  RegisteredApp: (o) =>
    new RegisteredApp({ ...o, name: 'a', kind: 'client', keyHash: randomUUID(), createdBy: null, now }),
  Session: (o) =>
    new Session({ ...o, tokenHash: randomUUID(), amr: ['pwd'], device, now, absoluteTimeoutMs: 1, idleTimeoutMs: 1 }),
  RememberedDevice: (o) => new RememberedDevice({ ...o, tokenHash: randomUUID(), now, validForMs: 1 }),
  BackupCode: (o) =>
    new BackupCode({ ...o, hash: { codeHash: randomUUID(), hashScheme: 'sha256', hashKeyId: null }, now }),
  EmailCode: (o) => new EmailCode({ ...o, purpose: 'enrollment', now }),
  WebauthnChallenge: (o) =>
    new WebauthnChallenge({
      ...o,
      purpose: 'step_up',
      boundTo: null,
      challenge: randomUUID(),
      userVerificationRequired: false,
      now,
    }),
  MfaChallenge: (o) => new MfaChallenge({ ...o, methods: ['totp'], now, passwordHash: 'x' }),
  MfaPolicyVersion: (o) =>
    MfaPolicyVersion.of({
      ...o,
      version: 1,
      settings: defaultPolicy(15, [7, 1]),
      by: { type: 'system', id: null },
      now,
    }),
  AuditEvent: (o) =>
    Object.assign(new AuditEvent(), {
      id: randomUUID(),
      chainKey: o.tenantId,
      seq: '1',
      tenantId: o.tenantId,
      occurredAt: now,
      action: 'Test',
      outcome: 'success',
      actorType: 'system',
      actorId: null,
      targetType: null,
      targetId: null,
      ip: null,
      userAgent: null,
      details: {},
      prevHash: '0',
      hash: randomUUID(),
    }),
  OutboxMessage: (o) => new OutboxMessage({ tenantId: o.tenantId, kind: 'security_notice', refId: o.userId, now }),
  MfaReset: (o) => new MfaReset({ ...o, requestedBy: null, now }),
  MfaFailureStreak: (o) => Object.assign(new MfaFailureStreak(), { ...o, consecutiveFailures: 1, updatedAt: now }),
  MfaScopeStart: (o) => Object.assign(new MfaScopeStart(), { tenantId: o.tenantId, userId: o.userId, startedAt: now }),
  AuditSink: (o) =>
    Object.assign(new AuditSink(), {
      id: randomUUID(),
      tenantId: o.tenantId,
      name: 'siem',
      kind: 'webhook',
      format: 'native',
      settings: { url: 'https://siem.example/hook' },
      secrets: [],
      batchSize: 1,
      state: 'active',
      stateReason: null,
      createdAt: now,
      updatedAt: now,
    }),
  MfaGraceNotice: (o) =>
    Object.assign(new MfaGraceNotice(), {
      tenantId: o.tenantId,
      userId: o.userId,
      kind: 'enforced',
      deadline: now,
      createdAt: now,
    }),
};

/** Entities whose table takes no UPDATE or DELETE statement at all (migration 0021's triggers). */
const APPEND_ONLY = new Set(['AuditEvent']);

describe('tenant scope (the ORM `tenant` filter)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let orm: MikroORM;
  const owners: Record<'a' | 'b', Owner> = {} as never;
  let tenantOwned: { name: string; entity: new (...args: never[]) => object }[];

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await MikroORM.init(ormConfig({ url: db.url, poolMax: 2, entities: ENTITIES }));
    tenantOwned = [...orm.getMetadata().getAll().values()]
      .filter((meta) => meta.properties.tenantId)
      .map((meta) => ({ name: meta.className, entity: meta.class as new (...args: never[]) => object }));
    for (const key of ['a', 'b'] as const) {
      const em = orm.em.fork();
      const tenant = new Tenant(`scope-${key}`, key, now);
      await em.persist(tenant).flush();
      const user = new User({ tenantId: tenant.id, email: `${key}@x.example`, roles: [], passwordHash: null, now });
      await em.persist(user).flush();
      const factor = new Factor({ tenantId: tenant.id, userId: user.id, type: 'email', label: 'f', now });
      await em.persist(factor).flush();
      owners[key] = { tenantId: tenant.id, userId: user.id, factorId: factor.id };
      for (const { name } of tenantOwned) {
        if (name !== 'User' && name !== 'Factor') em.persist(ROW_OF[name]!(owners[key]));
      }
      await em.flush();
    }
  });
  afterAll(async () => {
    await orm.close(true);
    await db.drop();
  });

  it('knows every entity with a tenantId, so each one below is checked', () => {
    expect(tenantOwned.map((e) => e.name).sort()).toEqual(Object.keys(ROW_OF).sort());
  });

  it('refuses to query a tenant-owned entity outside any tenant scope', async () => {
    for (const { name, entity } of tenantOwned) {
      const em = orm.em.fork();
      const refused = expect.objectContaining({
        name: TenantScopeMissingError.name,
        message: expect.stringContaining(name),
      });
      await expect(em.find(entity, {})).rejects.toEqual(refused);
      await expect(em.findOne(entity, { tenantId: owners.a.tenantId })).rejects.toEqual(refused);
      await expect(em.count(entity, {})).rejects.toEqual(refused);
      await expect(
        em.nativeUpdate(entity, { tenantId: owners.a.tenantId }, { tenantId: owners.a.tenantId }),
      ).rejects.toEqual(refused);
      await expect(em.nativeDelete(entity, { tenantId: owners.a.tenantId })).rejects.toEqual(refused);
    }
  });

  it("hides another tenant's rows, even when the where clause asks for them by tenant", async () => {
    const { a, b } = owners;
    await TenantScope.run(a.tenantId, async () => {
      for (const { name, entity } of tenantOwned) {
        const em = orm.em.fork();
        const all = (await em.find(entity, {})) as { tenantId: string }[];
        expect({ name, tenants: [...new Set(all.map((r) => r.tenantId))] }).toEqual({ name, tenants: [a.tenantId] });
        expect({ name, found: await em.find(entity, { tenantId: b.tenantId }) }).toEqual({ name, found: [] });
        expect({ name, count: await em.count(entity, { tenantId: b.tenantId }) }).toEqual({ name, count: 0 });
        if (APPEND_ONLY.has(name)) {
          // Its table refuses every UPDATE and DELETE statement, whatever rows it would touch.
          await expect(em.nativeUpdate(entity, { tenantId: b.tenantId }, { tenantId: b.tenantId })).rejects.toThrow(
            /append-only/,
          );
          continue;
        }
        const changed = await em.nativeUpdate(entity, { tenantId: b.tenantId }, { tenantId: b.tenantId });
        const deleted = await em.nativeDelete(entity, { tenantId: b.tenantId });
        expect({ name, changed, deleted }).toEqual({ name, changed: 0, deleted: 0 });
      }
    });
    const [stillThere] = await orm.em
      .fork()
      .execute<{ n: number }[]>('select count(*)::int as n from users where tenant_id = ?', [b.tenantId]);
    expect(stillThere?.n).toBe(1);
  });

  it('holds inside a transaction and after awaits, as the scope follows the async work', async () => {
    const { a, b } = owners;
    const seen = await TenantScope.run(a.tenantId, () =>
      orm.em.fork().transactional(async (em) => {
        await new Promise((resolve) => setImmediate(resolve));
        return em.find(User, { id: { $in: [a.userId, b.userId] } });
      }),
    );
    expect(seen.map((u) => u.id)).toEqual([a.userId]);
  });

  it('shows every tenant only inside an explicit acrossTenants', async () => {
    const users = await TenantScope.acrossTenants('the test looks at both tenants', () =>
      orm.em.fork().find(User, { id: { $in: [owners.a.userId, owners.b.userId] } }),
    );
    expect(users).toHaveLength(2);
  });

  it('refuses to switch a tenant scope to another tenant', () => {
    expect(() => TenantScope.run(owners.a.tenantId, () => TenantScope.run(owners.b.tenantId, () => 1))).toThrow(
      /cannot enter tenant/,
    );
    expect(TenantScope.run(owners.a.tenantId, () => TenantScope.run(owners.a.tenantId, () => 1))).toBe(1);
  });

  it('leaves entities without a tenantId alone', async () => {
    expect(await orm.em.fork().count(Tenant, {})).toBeGreaterThanOrEqual(2);
  });
});
