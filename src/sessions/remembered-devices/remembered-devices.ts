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
 * password change or factor enrolment: so those end them without a write elsewhere); removing a
 * factor and "forget" delete them.
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
    const device = await em.findOne(RememberedDevice, { tokenHash: hashToken(token), ...subject });
    if (!device || device.expiresAt <= now) return null;
    if (notBefore && notBefore >= device.createdAt) return null;
    if (device.createdAt.getTime() + days * DAY_MS <= now.getTime()) return null;
    device.lastUsedAt = now;
    return device;
  }

  /** Forgets every remembered device of the user; returns how many. */
  async forgetAll(
    tx: Tx,
    subject: { tenantId: string; userId: string },
    actor: Actor,
    request: RequestMeta,
  ): Promise<number> {
    const forgotten = await tx.em.nativeDelete(RememberedDevice, subject);
    await this.audit.record(tx, new RememberedDevicesForgottenEvent(subject.tenantId, subject.userId, forgotten), {
      actor,
      target: { type: 'user', id: subject.userId },
      request,
      details: { forgotten },
    });
    return forgotten;
  }
}

/** Deletes the user's remembered devices inside a caller's transaction (e.g. a factor removal). */
export function deleteRememberedDevices(
  em: EntityManager,
  subject: { tenantId: string; userId: string },
): Promise<number> {
  return em.nativeDelete(RememberedDevice, subject);
}
