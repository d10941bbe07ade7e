/** The OCSF schema version the OCSF rendering follows (`metadata.version`). */
export const OCSF_VERSION = '1.8.0';

/** An activity of an OCSF class: its `activity_id` and the caption the schema gives it. */
export interface OcsfActivity {
  id: number;
  caption: string;
}

/** An OCSF event class as OCSF_VERSION defines it, with the activities Stepguard uses, by a name of ours. */
export interface OcsfClass<K extends string> {
  uid: number;
  caption: string;
  categoryUid: number;
  categoryCaption: string;
  activities: Record<K | 'other', OcsfActivity>;
}

const IAM = { categoryUid: 3, categoryCaption: 'Identity & Access Management' } as const;
const OTHER: OcsfActivity = { id: 99, caption: 'Other' };

/** Base Event (0): the schema's generic class, for actions with no row and for checkpoints. */
export const BASE_EVENT: OcsfClass<never> = {
  uid: 0,
  caption: 'Base Event',
  categoryUid: 0,
  categoryCaption: 'Uncategorized',
  activities: { other: OTHER },
};

/** Authentication (3002): sign-in, sign-out and the second-factor checks around them. */
export const AUTHENTICATION: OcsfClass<'logon' | 'logoff'> = {
  uid: 3002,
  caption: 'Authentication',
  ...IAM,
  activities: { logon: { id: 1, caption: 'Logon' }, logoff: { id: 2, caption: 'Logoff' }, other: OTHER },
};

/** What an account class must offer: Account Change (3001) today, User Management (3007) from OCSF 1.9 on. */
export type AccountActivity = 'create' | 'passwordChange' | 'lock' | 'unlock' | 'mfaFactorEnable' | 'mfaFactorDisable';

/** Account Change (3001): a user account's credentials and state. */
export const ACCOUNT_CHANGE: OcsfClass<AccountActivity> = {
  uid: 3001,
  caption: 'Account Change',
  ...IAM,
  activities: {
    create: { id: 1, caption: 'Create' },
    passwordChange: { id: 3, caption: 'Password Change' },
    lock: { id: 9, caption: 'Lock' },
    mfaFactorEnable: { id: 10, caption: 'MFA Factor Enable' },
    mfaFactorDisable: { id: 11, caption: 'MFA Factor Disable' },
    unlock: { id: 12, caption: 'Unlock' },
    other: OTHER,
  },
};

/** Entity Management (3004): tenant-wide objects (the tenant, its policy, apps, API keys, keys). */
export const ENTITY_MANAGEMENT: OcsfClass<'create' | 'update' | 'delete'> = {
  uid: 3004,
  caption: 'Entity Management',
  ...IAM,
  activities: {
    create: { id: 1, caption: 'Create' },
    update: { id: 3, caption: 'Update' },
    delete: { id: 4, caption: 'Delete' },
    other: OTHER,
  },
};

/** Web Resource Access Activity (6004): a request turned away before it reached a use case. */
export const WEB_RESOURCE_ACCESS: OcsfClass<'accessDeny'> = {
  uid: 6004,
  caption: 'Web Resource Access Activity',
  categoryUid: 6,
  categoryCaption: 'Application Activity',
  activities: { accessDeny: { id: 2, caption: 'Access Deny' }, other: OTHER },
};

/**
 * The class account events use. OCSF 1.9 replaces Account Change (3001) with User Management (3007),
 * whose activities cover the same names (with other ids): moving there is defining USER_MANAGEMENT
 * like ACCOUNT_CHANGE above and pointing this at it.
 */
export const ACCOUNT_CLASS: OcsfClass<AccountActivity> = ACCOUNT_CHANGE;
