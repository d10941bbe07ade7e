import type { Tx } from '../../common/cqrs/unit-of-work.js';
import { RememberedDevices } from '../../sessions/index.js';
import { Factor } from '../factor.entity.js';
import { forgetMfaLeftovers } from '../mfa-leftovers.js';
import { MfaFailureStreak } from '../verification/mfa-failure-streak.entity.js';
import { MfaReset } from './mfa-reset.entity.js';

/**
 * Inside the verification that activated `keptFactorId` in a reset session: every other factor of
 * the user, their backup codes, remembered devices and any lock after wrong codes go, and the reset
 * is completed. Until this moment the old factors kept working, so a reset never leaves a user
 * without a way in.
 */
export async function replaceFactorsAfterReset(
  tx: Tx,
  input: { tenantId: string; userId: string; keptFactorId: string; resetId: string; now: Date },
) {
  const { tenantId, userId, keptFactorId } = input;
  const factorsRemoved = await tx.em.nativeDelete(Factor, { tenantId, userId, id: { $ne: keptFactorId } });
  const { backupCodesDeleted } = await forgetMfaLeftovers(tx, { tenantId, userId });
  const rememberedDevicesDeleted = await RememberedDevices.forget(tx, { tenantId, userId });
  await tx.em.getRepository(MfaFailureStreak).forgetUser({ tenantId, userId });
  await tx.em.getRepository(MfaReset).complete(tenantId, input.resetId, input.now);
  return { factorsRemoved, backupCodesDeleted, rememberedDevicesDeleted };
}
