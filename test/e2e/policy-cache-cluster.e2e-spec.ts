import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTenant, aUser, type TenantFixture } from '../support/builders.js';
import { startCluster, type Cluster } from '../support/cluster.js';
import { setMfaPolicy } from '../support/policy.js';

/**
 * Each api node caches tenants' MFA policies (issue 12), and the version in force is read with every
 * session: a policy saved through one node applies to the very next request on another, whose cache
 * still holds the old version, and to its socket handshakes alike.
 */
describe('the MFA policy cache on several nodes', () => {
  let cluster: Cluster;
  let acme: TenantFixture;
  beforeAll(async () => {
    cluster = await startCluster({ apiNodes: 2, workers: 0 });
    acme = await aTenant(cluster.nodes[0]!.http);
  }, 120_000);
  afterAll(() => cluster?.close());

  const [a, b] = [0, 1].map((i) => () => cluster.nodes[i]!.http);

  it('a save on node A holds on node B at its next request, for every save', async () => {
    const user = await aUser(a(), acme);
    // Node B caches the policy in force (the defaults, then version 1) by serving the user.
    expect((await b().get('/v1/me', user.token)).body.mfa).toMatchObject({ required: false, status: 'exempt' });
    await setMfaPolicy(a(), acme, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 7 });
    const required = await b().get('/v1/me', user.token);
    expect(required.body.mfa).toMatchObject({ required: true, status: 'grace' });
    expect(required.body.mfa.deadline).toEqual(expect.any(String));

    await setMfaPolicy(a(), acme, { requireMfa: false, requiredRoles: [] });
    expect((await b().get('/v1/me', user.token)).body.mfa).toMatchObject({ required: false, status: 'exempt' });
    await setMfaPolicy(a(), acme, { requireMfa: true, requiredRoles: ['member'], gracePeriodDays: 0 });
    expect((await b().get('/v1/me', user.token)).body.mfa).toMatchObject({ required: true, status: 'overdue' });
  });
});
