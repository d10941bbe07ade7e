import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventBus, type IEvent } from '@nestjs/cqrs';
import type { Subscription } from 'rxjs';
import { aTenant, aUser, PASSWORD, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Events are facts: published once the change has committed, never for a change that was refused. */
describe('domain events', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let subscription: Subscription;
  const seen: string[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    subscription = t.app
      .get(EventBus)
      .subscribe((e: IEvent) => seen.push((e.constructor as unknown as { type: string }).type));
    acme = await aTenant(t.http);
  });
  afterAll(async () => {
    subscription.unsubscribe();
    await t.close();
  });

  const since = async (work: () => Promise<unknown>) => {
    const before = seen.length;
    await work();
    await new Promise((r) => setImmediate(r));
    return seen.slice(before);
  };

  it('publishes TenantCreated and UserCreated when a tenant is made, and nothing when the slug is taken', async () => {
    const body = { slug: 'evented', name: 'E', admin: { email: 'a@evented.example', password: PASSWORD } };
    expect(await since(() => t.http.post('/v1/tenants', body, t.operatorToken))).toEqual([
      'TenantCreated',
      'UserCreated',
    ]);
    expect(await since(() => t.http.post('/v1/tenants', body, t.operatorToken))).toEqual([]);
  });

  it('publishes SessionCreated and LoginSucceeded for a login, LoginFailed for a refused one', async () => {
    const user = await aUser(t.http, acme);
    const ok = await since(() =>
      t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: PASSWORD }),
    );
    expect(ok).toEqual(['SessionCreated', 'LoginSucceeded']);
    const bad = await since(() =>
      t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: 'nope nope nope' }),
    );
    expect(bad).toEqual(['LoginFailed']);
  });

  it('publishes SessionRevoked for each session a password change ends, then PasswordChanged', async () => {
    const user = await aUser(t.http, acme);
    await t.http.post('/v1/auth/login', { tenant: acme.slug, email: user.email, password: PASSWORD });
    const events = await since(() =>
      t.http.post('/v1/me/password', { currentPassword: PASSWORD, newPassword: 'another long passphrase' }, user.token),
    );
    expect(events).toEqual(['SessionRevoked', 'PasswordChanged']);
  });

  it('publishes nothing for a refused role change', async () => {
    const events = await since(() =>
      t.http.patch(`/v1/admin/users/${acme.admin.id}`, { roles: ['member'] }, acme.admin.token),
    );
    expect(events).toEqual([]);
  });
});
