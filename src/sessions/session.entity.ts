import { EntityRepositoryType } from '@mikro-orm/core';
import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { randomUUID } from 'node:crypto';
import type { App } from '../identity/index.js';
import { SessionRepository } from './session.repository.js';

export interface DeviceInfo {
  deviceType: string;
  browser: string | null;
  os: string | null;
  userAgent: string | null;
  ip: string | null;
  location: string | null;
}

export type AuthMethod = 'pwd' | 'otp' | 'email' | 'webauthn' | 'backup_code' | 'remembered_device';

/** Methods that are a second factor verified there and then; a remembered device is an earlier check, carried over. */
const VERIFIED_FACTORS: readonly AuthMethod[] = ['otp', 'email', 'webauthn', 'backup_code'];

/** `lastActiveAt` is written at most this often, so a busy session does not write on every request. */
export const ACTIVITY_WRITE_INTERVAL_MS = 60_000;

@Entity({ tableName: 'sessions', repository: () => SessionRepository })
@Index({ properties: ['tenantId', 'userId'] })
export class Session {
  [EntityRepositoryType]?: SessionRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  tenantId: string;

  @Property({ type: 'uuid' })
  userId: string;

  @Property({ type: 'text', unique: true, hidden: true })
  tokenHash: string;

  @Property({ type: 'text[]' })
  amr: AuthMethod[];

  @Property({ type: 'text' })
  deviceType: string;

  @Property({ type: 'text', nullable: true })
  browser: string | null;

  @Property({ type: 'text', nullable: true })
  os: string | null;

  @Property({ type: 'text', nullable: true })
  userAgent: string | null;

  @Property({ type: 'text', nullable: true })
  ip: string | null;

  @Property({ type: 'text', nullable: true })
  location: string | null;

  @Property({ type: 'datetime' })
  createdAt: Date;

  @Property({ type: 'datetime' })
  lastActiveAt: Date;

  /** When the user last proved who they are (password or factor): the re-auth window starts here. */
  @Property({ type: 'datetime' })
  authenticatedAt: Date;

  @Property({ type: 'datetime' })
  expiresAt: Date;

  @Property({ type: 'integer' })
  idleTimeoutSeconds: number;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  revokedReason: string | null = null;

  /**
   * Opened for a user past their enrolment deadline: it may only enrol a factor (and read `/v1/me`),
   * and becomes a full session when a factor is verified in it.
   */
  @Property({ type: 'boolean' })
  enrollmentOnly = false;

  /**
   * Set by the Disconnect API: until a factor is verified again (`POST /v1/auth/step-up`), the session's
   * live connections are refused. Kept in PostgreSQL so that losing Redis, or a node, never lifts it.
   */
  @Property({ type: 'datetime', nullable: true })
  stepUpRequiredAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  stepUpReason: string | null = null;

  /** When a second factor was last verified in this session (login challenge or step-up). */
  @Property({ type: 'datetime', nullable: true })
  mfaVerifiedAt: Date | null = null;

  /**
   * When a passkey assertion with user verification (the device's biometrics or PIN) was last made in this
   * session: what the tenant's biometric connection policy asks to be recent.
   */
  @Property({ type: 'datetime', nullable: true })
  userVerifiedAt: Date | null = null;

  /** Opened through an admin's MFA reset link: the first factor verified in it replaces all the old ones. */
  @Property({ type: 'uuid', nullable: true })
  mfaResetId: string | null = null;

  /**
   * The kind of app whose key opened the session, which the MFA policy was checked against; null for a
   * sign-in without an app key, held to the rules of every app.
   */
  @Property({ type: 'text', nullable: true })
  app: App | null = null;

  @Property({ type: 'uuid', nullable: true })
  appId: string | null = null;

  constructor(input: {
    tenantId: string;
    userId: string;
    tokenHash: string;
    amr: AuthMethod[];
    device: DeviceInfo;
    now: Date;
    absoluteTimeoutMs: number;
    idleTimeoutMs: number;
  }) {
    this.tenantId = input.tenantId;
    this.userId = input.userId;
    this.tokenHash = input.tokenHash;
    this.amr = input.amr;
    this.deviceType = input.device.deviceType;
    this.browser = input.device.browser;
    this.os = input.device.os;
    this.userAgent = input.device.userAgent;
    this.ip = input.device.ip;
    this.location = input.device.location;
    this.createdAt = input.now;
    this.lastActiveAt = input.now;
    this.authenticatedAt = input.now;
    this.expiresAt = new Date(input.now.getTime() + input.absoluteTimeoutMs);
    this.idleTimeoutSeconds = Math.floor(input.idleTimeoutMs / 1000);
    if (input.amr.some((m) => VERIFIED_FACTORS.includes(m))) this.mfaVerifiedAt = input.now;
  }

  /** Assurance level, derived from the methods completed, never stored as a free flag. */
  get aal(): 1 | 2 {
    return this.amr.some((m) => m !== 'pwd') ? 2 : 1;
  }

  idleExpiresAt(): Date {
    return new Date(this.lastActiveAt.getTime() + this.idleTimeoutSeconds * 1000);
  }

  isActiveAt(now: Date): boolean {
    return this.revokedAt === null && now < this.expiresAt && now < this.idleExpiresAt();
  }

  needsActivityWrite(now: Date): boolean {
    return now.getTime() - this.lastActiveAt.getTime() >= ACTIVITY_WRITE_INTERVAL_MS;
  }

  /**
   * A factor was verified again for this session (step-up): the re-auth window restarts now, a pending
   * step-up is cleared, and the method joins `amr`, so a password-only session that steps up is aal 2.
   */
  recordStepUp(method: AuthMethod, now: Date, userVerified = false): void {
    this.authenticatedAt = now;
    this.mfaVerifiedAt = now;
    if (userVerified) this.userVerifiedAt = now;
    this.stepUpRequiredAt = null;
    this.stepUpReason = null;
    this.recordFactorProven(method);
  }

  /**
   * A factor was enrolled and proven in this session: its method joins `amr` (a session opened with a
   * backup code is then no longer degraded). The re-auth window is not renewed: proving a factor one
   * has just added shows possession of it, not who is signed in.
   */
  recordFactorProven(method: AuthMethod): void {
    if (!this.amr.includes(method)) this.amr = [...this.amr, method];
    this.enrollmentOnly = false;
    this.mfaResetId = null;
  }

  /**
   * A short, non-secret tag of the current token: sockets remember the one they connected with, so the
   * ones still holding a token that was replaced can be told apart and closed.
   */
  get tokenFingerprint(): string {
    return this.tokenHash.slice(0, 16);
  }

  revoke(reason: string, now: Date): boolean {
    if (this.revokedAt) return false;
    this.revokedAt = now;
    this.revokedReason = reason;
    return true;
  }
}
