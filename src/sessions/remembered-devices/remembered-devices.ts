import type { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AuditLog } from '../../audit/index.js';
import type { Actor, RequestMeta } from '../../common/actor.js';
import { hashToken, newOpaqueToken } from '../../common/crypto/tokens.js';
import type { Tx } from '../../common/cqrs/unit-of-work.js';
import { DeviceRememberedEvent, RememberedDevicesForgottenEvent } from './remembered-device.events.js';
import { RememberedDevice } from './remembered-device.entity.js';

export const DEVICE_TOKEN_PREFIX = 'sgd_';
const DAY_MS = 24 * 60 * 60_000;

/**
 * Remembered devices: issued after a passed challenge for the tenant policy's `rememberDeviceDays`
 * (none when it is 0), honoured at login only while unexpired under the policy in force (so
 * shortening it or turning it off takes effect at once) and issued after `notBefore` (the user's last
 * password change or factor enrolment: so those end them without a write elsewhere). Every deletion
 * (a factor removed, an MFA reset, a Disconnect, "forget") goes through `RememberedDevices.forget`.
 */
@Injectable()
export class RememberedDevices {
  constructor(private readonly audit: AuditLog) {}

  /** A new device token, or null when the tenant does not remember devices. */
  async remember(
    tx: Tx,
    subject: { tenantId: string; userId: string },
    input: { now: Date; days: number; request: RequestMeta },
  ) {
    const { now, days, request } = input;
    if (days === 0) return null;
    const token = newOpaqueToken(DEVICE_TOKEN_PREFIX);
    const device = new RememberedDevice({ ...subject, tokenHash: hashToken(token), now, validForMs: days * DAY_MS });
    tx.em.persist(device);
    await tx.em.flush();
    await this.audit.record(tx, new DeviceRememberedEvent(subject.tenantId, subject.userId, device.id), {
      actor: { type: 'user', id: subject.userId },
      target: { type: 'remembered_device', id: device.id },
      request,
      details: { expiresAt: device.expiresAt.toISOString() },
    });
    return { token, device };
  }

  /** The device behind `token` if it may skip this user's challenge now; its last use is recorded. */
  async honour(
    em: EntityManager,
    subject: { tenantId: string; userId: string },
    token: string | undefined,
    { now, notBefore, days }: { now: Date; notBefore: Date | null; days: number },
  ): Promise<RememberedDevice | null> {
    if (!token?.startsWith(DEVICE_TOKEN_PREFIX)) return null;
    const device = await em.getRepository(RememberedDevice).findByTokenHash(subject, hashToken(token));
    if (!device || device.expiresAt <= now) return null;
    if (notBefore && notBefore >= device.createdAt) return null;
    if (device.createdAt.getTime() + days * DAY_MS <= now.getTime()) return null;
    device.lastUsedAt = now;
    return device;
  }

  /**
   * Whether `token` is one of the owner's unexpired remembered devices, whatever the policy says now
   * (`honour` decides whether it may skip a challenge).
   */
  isUnexpired(em: EntityManager, owner: { tenantId: string; userId: string }, token: string, now: Date) {
    if (!token.startsWith(DEVICE_TOKEN_PREFIX)) return Promise.resolve(false);
    return em.getRepository(RememberedDevice).hasUnexpired(owner, hashToken(token), now);
  }

  /** Forgets every remembered device of the user, audited as `actor`'s doing; returns how many. */
  async forgetAll(
    tx: Tx,
    subject: { tenantId: string; userId: string },
    actor: Actor,
    request: RequestMeta,
  ): Promise<number> {
    const forgotten = await RememberedDevices.forget(tx, subject);
    await this.audit.record(tx, new RememberedDevicesForgottenEvent(subject.tenantId, subject.userId, forgotten), {
      actor,
      target: { type: 'user', id: subject.userId },
      request,
      details: { forgotten },
    });
    return forgotten;
  }

  /**
   * Deletes the remembered devices of `scope` inside the caller's transaction, unaudited (the caller's
   * own entry says why they went): one user's, several users' of a tenant (then how many went per
   * user), or every user's of the tenant. Static: callers in other slices use it inside their own
   * transactions, with nothing injected.
   */
  static forget(tx: Tx, scope: { tenantId: string; userIds: readonly string[] }): Promise<Map<string, number>>;
  static forget(
    tx: Tx,
    scope: { tenantId: string; userId: string } | { tenantId: string; allUsers: true },
  ): Promise<number>;
  static forget(tx: Tx, scope: RememberedDeviceScope): Promise<number | Map<string, number>> {
    const devices = tx.em.getRepository(RememberedDevice);
    if ('userIds' in scope) return devices.deleteForUsers(scope.tenantId, scope.userIds);
    if ('userId' in scope) return devices.deleteForUser(scope.tenantId, scope.userId);
    return devices.deleteForTenant(scope.tenantId);
  }
}

/** Whose remembered devices `RememberedDevices.forget` deletes. */
export type RememberedDeviceScope =
  | { tenantId: string; userId: string }
  | { tenantId: string; userIds: readonly string[] }
  | { tenantId: string; allUsers: true };
