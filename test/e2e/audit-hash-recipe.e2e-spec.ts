import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { aTenant, aUser, signIn, type TenantFixture } from '../support/builders.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Deliberately nothing from src/: this is what a SIEM does with docs/audit-hash.md, the API and a JCS
// library. If the app's hash and this recipe part ways, the document is wrong and so is this test.

const GENESIS = '0'.repeat(64);

/** docs/audit-hash.md, step by step. */
function recipeHash(e: any): string {
  const hashed = {
    id: e.id,
    chainKey: e.tenantId ?? 'platform',
    seq: String(e.seq),
    tenantId: e.tenantId,
    occurredAt: e.occurredAt,
    action: e.action,
    outcome: e.outcome,
    actor: { type: e.actor.type, id: e.actor.id },
    target: { type: e.target?.type ?? null, id: e.target?.id ?? null },
    ip: e.ip,
    userAgent: e.userAgent,
    details: e.details,
  };
  return createHash('sha256')
    .update(e.prevHash + canonicalize(hashed)!, 'utf8')
    .digest('hex');
}

describe('the audit hash recipe (docs/audit-hash.md), applied to what the API serves', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let siemKey: string;
  let events: any[];

  beforeAll(async () => {
    t = await startTestApp();
    acme = await aTenant(t.http);
    const member = await aUser(t.http, acme, ['member']);
    const wrong = await t.http.post('/v1/auth/login', {
      tenant: acme.slug,
      email: member.email,
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    await signIn(t.http, acme.slug, member.email);
    // Refused and audited with no target.
    expect((await t.http.get('/v1/admin/audit', member.token)).status).toBe(403);
    const key = await t.http.post(
      '/v1/admin/api-keys',
      { name: 'SIEM — Zoë’s feed 😂 \u2028 "quoted" \\ ✓', scopes: ['audit:read'] },
      acme.admin.token,
    );
    expect(key.status).toBe(201);
    siemKey = key.body.key;
    events = [];
    let after: number | null = null;
    do {
      // Small pages: the recipe must hold across page boundaries too.
      const page: any = await t.http.get(`/v1/admin/audit?limit=3${after === null ? '' : `&after=${after}`}`, siemKey);
      expect(page.status).toBe(200);
      events.push(...page.body.events);
      after = page.body.nextCursor;
    } while (after !== null);
  });
  afterAll(() => t.close());

  it('covers events with and without a target, and with non-ASCII details', () => {
    expect(events.length).toBeGreaterThanOrEqual(6);
    expect(events.some((e) => e.target === null)).toBe(true);
    expect(events.some((e) => e.target !== null)).toBe(true);
    expect(events.some((e) => e.details.name?.includes('😂'))).toBe(true);
    expect(events.every((e) => e.tenantId === acme.id)).toBe(true);
  });

  it('recomputes the hash of every event, linked in seq order from the genesis hash', () => {
    events.forEach((e, i) => {
      expect({ seq: e.seq, prevHash: e.prevHash }).toEqual({
        seq: i + 1,
        prevHash: i === 0 ? GENESIS : events[i - 1].hash,
      });
      expect({ seq: e.seq, hash: recipeHash(e) }).toEqual({ seq: e.seq, hash: e.hash });
    });
  });

  it('gives another hash when any served field is changed', () => {
    const edits: ((e: any) => void)[] = [
      (e) => (e.details = { ...e.details, name: 'someone else' }),
      (e) => (e.occurredAt = new Date(Date.parse(e.occurredAt) + 1).toISOString()),
      (e) => (e.seq += 1),
      (e) => (e.actor.id = null),
      (e) => (e.target = null),
      (e) => (e.prevHash = GENESIS),
    ];
    const last = events.at(-1);
    expect(last.action).toBe('ApiKeyCreated');
    for (const edit of edits) {
      const copy = structuredClone(last);
      edit(copy);
      expect(recipeHash(copy)).not.toBe(last.hash);
    }
  });
});
