import {
  ACCOUNT_CLASS,
  type AccountActivity,
  AUTHENTICATION,
  BASE_EVENT,
  ENTITY_MANAGEMENT,
  type OcsfActivity,
  type OcsfClass,
  WEB_RESOURCE_ACCESS,
} from './ocsf-classes.js';

/** How much an event asks of a security team: OCSF `severity_id` 1–4, CEF severity 1/3/5/8. */
export type Severity = 'informational' | 'low' | 'medium' | 'high';

/** An authentication factor an action always concerns, when its details do not name one. */
export type FixedFactor = 'backup_code';

/** ECS `event.category` values Stepguard uses, and `event.type` values they allow (ECS 9.x). */
export type EcsCategory = 'api' | 'authentication' | 'configuration' | 'database' | 'iam' | 'session';
export type EcsType =
  'access' | 'admin' | 'change' | 'creation' | 'deletion' | 'denied' | 'end' | 'info' | 'start' | 'user';

/** How one audit action is rendered in every format. */
export interface ActionMapping {
  /** Human title: the CEF name, the OCSF and ECS message, the OCSF activity name of an `Other` activity. */
  title: string;
  /** For a success; a failure is at least `low`. */
  severity: Severity;
  ocsf: {
    class: OcsfClass<string>;
    activity: OcsfActivity;
    /** `is_mfa: true` whatever the details say (a second-factor check). */
    mfa?: true;
    factor?: FixedFactor;
  };
  ecs: { category: readonly EcsCategory[]; type: readonly EcsType[] };
}

type Ocsf = ActionMapping['ocsf'];
type Extras = Pick<Ocsf, 'mfa' | 'factor'>;
const auth = (activity: 'logon' | 'logoff' | 'other', extras: Extras = {}): Ocsf => ({
  class: AUTHENTICATION,
  activity: AUTHENTICATION.activities[activity],
  ...extras,
});
const account = (activity: AccountActivity | 'other', extras: Extras = {}): Ocsf => ({
  class: ACCOUNT_CLASS,
  activity: ACCOUNT_CLASS.activities[activity],
  ...extras,
});
const entity = (activity: 'create' | 'update' | 'delete' | 'other'): Ocsf => ({
  class: ENTITY_MANAGEMENT,
  activity: ENTITY_MANAGEMENT.activities[activity],
});
const ecs = (category: readonly EcsCategory[], type: readonly EcsType[]) => ({ category, type });
const row = (title: string, severity: Severity, ocsf: Ocsf, ecsFields: ActionMapping['ecs']): ActionMapping => ({
  title,
  severity,
  ocsf,
  ecs: ecsFields,
});

const SIGN_IN = ecs(['authentication'], ['start']);
const AUTH_INFO = ecs(['authentication'], ['info']);
const USER_CHANGE = ecs(['iam'], ['user', 'change']);
const ADMIN_CREATION = ecs(['iam'], ['admin', 'creation']);
const ADMIN_DELETION = ecs(['iam'], ['admin', 'deletion']);
const SINK_CHANGE = ecs(['configuration'], ['change']);

/**
 * THE mapping: every audit action Stepguard writes (and every event type it publishes), one row each.
 * "Logon" is opening a session or a refused attempt to open one, so a sign-in with a second factor
 * counts once (SessionCreated), not once per step. docs/audit-formats.md shows this table and why.
 */
export const ACTION_MAPPINGS: Readonly<Record<string, ActionMapping>> = {
  // Sign-in and its second factor
  LoginSucceeded: row('Sign-in succeeded', 'informational', auth('logon'), SIGN_IN),
  LoginFailed: row('Sign-in refused', 'low', auth('logon'), SIGN_IN),
  SessionCreated: row('Session opened', 'informational', auth('logon'), ecs(['authentication', 'session'], ['start'])),
  MfaChallengeIssued: row('Second factor requested', 'informational', auth('other'), AUTH_INFO),
  MfaChallengeSucceeded: row('Second factor accepted', 'informational', auth('other', { mfa: true }), AUTH_INFO),
  MfaChallengeFailed: row('Second factor refused at sign-in', 'low', auth('logon', { mfa: true }), SIGN_IN),
  EmailCodeSent: row('E-mail code sent', 'informational', auth('other'), AUTH_INFO),
  EmailCodeRefused: row('E-mail code refused', 'low', auth('other', { mfa: true }), AUTH_INFO),
  BackupCodeUsed: row('Backup code used', 'low', auth('other', { mfa: true, factor: 'backup_code' }), AUTH_INFO),
  SecondFactorRefused: row('Second factor refused', 'low', auth('other', { mfa: true }), AUTH_INFO),
  // A refused second-factor check like the rows above (the sign-in's own refusal is its logon row), but
  // high: a counter that went back means the passkey's private key is in two places.
  PasskeyCloneSuspected: row('Cloned passkey suspected', 'high', auth('other', { mfa: true }), AUTH_INFO),
  // Step-up and the life of a session
  StepUpSucceeded: row('Step-up succeeded', 'informational', auth('other', { mfa: true }), AUTH_INFO),
  StepUpFailed: row('Step-up refused', 'low', auth('other', { mfa: true }), AUTH_INFO),
  StepUpRequested: row('Step-up requested', 'low', auth('other'), ecs(['session'], ['info'])),
  SessionTokenRotated: row('Session token rotated', 'informational', auth('other'), ecs(['session'], ['info'])),
  SessionDisconnected: row('Live connections closed', 'low', auth('other'), ecs(['session'], ['end'])),
  SessionRevoked: row('Session ended', 'informational', auth('logoff'), ecs(['authentication', 'session'], ['end'])),
  // A user's account: creation, password, factors, lock and unlock
  UserCreated: row('User created', 'low', account('create'), ecs(['iam'], ['user', 'creation'])),
  UserRolesChanged: row('User roles changed', 'medium', account('other'), USER_CHANGE),
  PasswordChanged: row('Password changed', 'low', account('passwordChange'), USER_CHANGE),
  FactorEnrollmentStarted: row('Factor enrolment started', 'informational', account('other'), USER_CHANGE),
  FactorEnrolled: row('Factor enrolled', 'low', account('mfaFactorEnable'), USER_CHANGE),
  FactorVerificationFailed: row('Factor enrolment code refused', 'low', account('mfaFactorEnable'), USER_CHANGE),
  FactorRemoved: row('Factor removed', 'medium', account('mfaFactorDisable'), USER_CHANGE),
  FactorRenamed: row('Factor renamed', 'informational', account('other'), USER_CHANGE),
  BackupCodesGenerated: row(
    'Backup codes issued',
    'informational',
    account('mfaFactorEnable', { factor: 'backup_code' }),
    USER_CHANGE,
  ),
  BackupCodesRegenerated: row(
    'Backup codes replaced',
    'low',
    account('mfaFactorEnable', { factor: 'backup_code' }),
    USER_CHANGE,
  ),
  FactorLocked: row('Second factor locked', 'high', account('lock'), USER_CHANGE),
  MfaResetRequested: row('MFA reset requested', 'medium', account('other'), USER_CHANGE),
  MfaResetLinkUsed: row('MFA reset link opened', 'medium', account('other'), USER_CHANGE),
  MfaResetCompleted: row('MFA reset completed', 'medium', account('unlock'), USER_CHANGE),
  DeviceRemembered: row('Device remembered', 'informational', account('other'), USER_CHANGE),
  RememberedDevicesForgotten: row('Remembered devices forgotten', 'informational', account('other'), USER_CHANGE),
  MfaGracePeriodExpired: row('MFA grace period expired', 'medium', account('other'), USER_CHANGE),
  // Tenant-wide objects
  TenantCreated: row('Tenant created', 'low', entity('create'), ADMIN_CREATION),
  PolicyChanged: row('MFA policy changed', 'medium', entity('update'), ecs(['configuration', 'iam'], ['change'])),
  AllDevicesForgotten: row(
    'All factors and devices forgotten',
    'high',
    entity('delete'),
    ecs(['iam'], ['admin', 'change']),
  ),
  AppRegistered: row('App registered', 'low', entity('create'), ADMIN_CREATION),
  AppRemoved: row('App removed', 'medium', entity('delete'), ADMIN_DELETION),
  ApiKeyCreated: row('API key created', 'medium', entity('create'), ADMIN_CREATION),
  ApiKeyRevoked: row('API key revoked', 'low', entity('delete'), ADMIN_DELETION),
  EncryptionKeysRotated: row(
    'Factor secrets re-encrypted',
    'medium',
    entity('update'),
    ecs(['configuration'], ['change']),
  ),
  // The audit stream's sinks: where the log goes is a configuration change a security team watches
  AuditSinkCreated: row('Audit sink created', 'medium', entity('create'), ecs(['configuration'], ['creation'])),
  AuditSinkUpdated: row('Audit sink changed', 'medium', entity('update'), SINK_CHANGE),
  AuditSinkSecretRotated: row('Audit sink secret rotated', 'low', entity('update'), SINK_CHANGE),
  AuditSinkSecretsReencrypted: row('Audit sink secrets re-encrypted', 'medium', entity('update'), SINK_CHANGE),
  AuditSinkDeleted: row('Audit sink deleted', 'high', entity('delete'), ecs(['configuration'], ['deletion'])),
  AuditSinkPaused: row('Audit sink paused', 'high', entity('update'), SINK_CHANGE),
  AuditSinkResumed: row('Audit sink resumed', 'low', entity('update'), SINK_CHANGE),
  AuditSinkDisabled: row('Audit sink disabled (receiver gone)', 'high', entity('update'), SINK_CHANGE),
  AuditSinkParked: row('Audit sink waiting at a refused event', 'high', entity('update'), SINK_CHANGE),
  AuditSinkParkedEventRetried: row('Refused audit event sent again', 'low', entity('update'), SINK_CHANGE),
  AuditSinkEventSkipped: row('Audit event left undelivered to a sink', 'high', entity('update'), SINK_CHANGE),
  AuditSinkReplayed: row('Audit sink replayed', 'low', entity('update'), SINK_CHANGE),
  // The log's own retention: the oldest events and checkpoints of a chain deleted, every sink having them
  AuditRetentionPurged: row('Audit events purged by retention', 'low', entity('delete'), ecs(['database'], ['change'])),
  AuditCheckpointsTaken: row(
    'Audit checkpoints signed',
    'informational',
    entity('other'),
    ecs(['configuration'], ['info']),
  ),
  AuditStreamTest: row(
    'Audit sink test event (not in the chain)',
    'informational',
    entity('other'),
    ecs(['configuration'], ['info']),
  ),
  // Refused access
  AccessDenied: row(
    'Access denied',
    'low',
    { class: WEB_RESOURCE_ACCESS, activity: WEB_RESOURCE_ACCESS.activities.accessDeny },
    ecs(['api'], ['access', 'denied']),
  ),
};

/**
 * The row of an action; an action with no row (one added without its row) still renders, as an OCSF
 * Base Event with activity Other and no ECS category, titled with its own name.
 */
export function mappingOf(action: string): ActionMapping {
  return Object.hasOwn(ACTION_MAPPINGS, action)
    ? ACTION_MAPPINGS[action]!
    : row(action, 'informational', { class: BASE_EVENT, activity: BASE_EVENT.activities.other }, ecs([], []));
}

/** The severity an event gets: its row's, raised to `low` for a failure. */
export function severityOf(mapping: ActionMapping, outcome: 'success' | 'failure'): Severity {
  return outcome === 'failure' && mapping.severity === 'informational' ? 'low' : mapping.severity;
}
