import { ROLES } from '../../common/access/roles.js';
import { APPS } from '../../identity/index.js';
import { type MfaPolicySettings, mfaPolicySchema, type Weakening } from '../../policy/index.js';

const ROLE_NAMES: Record<(typeof ROLES)[number], string> = {
  admin: 'Administrators',
  manager: 'Managers',
  member: 'Members',
};
const METHODS = ['totp', 'email', 'webauthn'] as const;
const METHOD_NAMES: Record<(typeof METHODS)[number], string> = {
  totp: 'Authenticator app',
  email: 'E-mail codes',
  webauthn: 'Passkeys',
};
const APP_NAMES: Record<(typeof APPS)[number], string> = { console: 'The admin console', client: 'Client apps' };

/** What a refused field needs to become valid, in words. */
const FIELD_HELP: Record<string, string> = {
  requiredRoles: 'Choose roles from the list, or none for everyone.',
  gracePeriodDays: 'The grace period must be a whole number of days from 0 to 90.',
  allowedMethods: 'Allow at least one method.',
  enforceOn: 'Choose apps from the list.',
  rememberDeviceDays: 'Remembering a device must be a whole number of days from 0 to 365.',
  reauthMaxAgeMinutes: 'The re-confirmation window must be a whole number of minutes from 1 to 1440.',
  reminderDays: 'Reminders take up to five different numbers of days from 1 to 90, separated by commas.',
  phishingResistantRoles: 'Choose roles that must use a passkey from the list, or none.',
};

/** What a weaker policy lowers, in words: the confirmation page lists them. */
export const WEAKENING_WORDS: Record<Weakening, string> = {
  requireMfa: 'Two-step verification will no longer be required.',
  requiredRoles: 'Fewer roles will be required to use two-step verification.',
  enforceOn: 'Two-step verification will be enforced in fewer apps.',
  gracePeriodDays: 'People will get longer to set up two-step verification.',
  allowedMethods: 'A method people use now will no longer be accepted.',
  rememberDeviceDays: 'Devices will be remembered for longer, skipping the code.',
  reauthMaxAgeMinutes: 'Sensitive changes will ask people to confirm it is them less often.',
  connectionPolicy: 'Live connections will no longer need a recent authenticator code or passkey check.',
  phishingResistantRoles:
    'Who must use a passkey changes: a role taken off may use codes again, and people in a role added who have no passkey yet sign in with their password alone until they add one.',
};

/** The policy as the form shows it: boxes to tick and numbers as typed. */
export interface PolicyFormView {
  requireMfa: boolean;
  roles: { value: string; name: string; checked: boolean }[];
  methods: { value: string; name: string; checked: boolean }[];
  apps: { value: string; name: string; checked: boolean }[];
  gracePeriodDays: string;
  rememberDeviceDays: string;
  reauthMaxAgeMinutes: string;
  /** `7, 1` */
  reminderDays: string;
  totpPriorConnection: boolean;
  biometricPriorConnection: boolean;
  passkeySignIn: boolean;
  passkeyRoles: { value: string; name: string; checked: boolean }[];
  version: number;
}

type PolicyFields = Omit<
  MfaPolicySettings,
  'gracePeriodDays' | 'rememberDeviceDays' | 'reauthMaxAgeMinutes' | 'reminderDays'
> & {
  gracePeriodDays: number | string;
  rememberDeviceDays: number | string;
  reauthMaxAgeMinutes: number | string;
  reminderDays: number[] | string;
};

export function policyFormView(s: PolicyFields, version: number): PolicyFormView {
  const boxes = <T extends string>(all: readonly T[], names: Record<T, string>, chosen: readonly string[]) =>
    all.map((value) => ({ value, name: names[value], checked: chosen.includes(value) }));
  return {
    requireMfa: s.requireMfa,
    roles: boxes(ROLES, ROLE_NAMES, s.requiredRoles),
    methods: boxes(METHODS, METHOD_NAMES, s.allowedMethods),
    apps: boxes(APPS, APP_NAMES, s.enforceOn),
    gracePeriodDays: String(s.gracePeriodDays),
    rememberDeviceDays: String(s.rememberDeviceDays),
    reauthMaxAgeMinutes: String(s.reauthMaxAgeMinutes),
    reminderDays: typeof s.reminderDays === 'string' ? s.reminderDays : s.reminderDays.join(', '),
    totpPriorConnection: s.connectionPolicy.totpPriorConnection,
    biometricPriorConnection: s.connectionPolicy.biometricPriorConnection,
    passkeySignIn: s.passkeySignIn,
    passkeyRoles: boxes(ROLES, ROLE_NAMES, s.phishingResistantRoles),
    version,
  };
}

export type ReadPolicyForm =
  | { ok: true; settings: MfaPolicySettings; version: number | undefined; view: PolicyFormView }
  | { ok: false; problems: string[]; view: PolicyFormView };

/**
 * The posted policy form as the API's policy body, checked by the API's own schema. Unticked boxes are
 * absent from a form post, so an absent list is an empty one.
 */
export function readPolicyForm(body: Record<string, unknown>): ReadPolicyForm {
  const typed = {
    requireMfa: body.requireMfa === 'on',
    requiredRoles: listOf(body.requiredRoles),
    allowedMethods: listOf(body.allowedMethods),
    enforceOn: listOf(body.enforceOn),
    gracePeriodDays: textOf(body.gracePeriodDays),
    rememberDeviceDays: textOf(body.rememberDeviceDays),
    reauthMaxAgeMinutes: textOf(body.reauthMaxAgeMinutes),
    reminderDays: typeof body.reminderDays === 'string' ? body.reminderDays.trim().slice(0, 40) : '',
    connectionPolicy: {
      totpPriorConnection: body.totpPriorConnection === 'on',
      biometricPriorConnection: body.biometricPriorConnection === 'on',
    },
    passkeySignIn: body.passkeySignIn === 'on',
    phishingResistantRoles: listOf(body.phishingResistantRoles),
  };
  const version = wholeNumber(textOf(body.version));
  const view = policyFormView(typed as PolicyFields, Number.isNaN(version) ? 0 : version);
  const parsed = mfaPolicySchema.safeParse({
    ...typed,
    gracePeriodDays: wholeNumber(typed.gracePeriodDays),
    rememberDeviceDays: wholeNumber(typed.rememberDeviceDays),
    reauthMaxAgeMinutes: wholeNumber(typed.reauthMaxAgeMinutes),
    reminderDays: typed.reminderDays === '' ? [] : typed.reminderDays.split(',').map((day) => wholeNumber(day.trim())),
    ...(Number.isNaN(version) ? {} : { version }),
  });
  if (!parsed.success) {
    const fields = new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '')));
    const problems = Object.entries(FIELD_HELP)
      .filter(([field]) => fields.has(field))
      .map(([, help]) => help);
    return { ok: false, problems: problems.length ? problems : ['Check the form and try again.'], view };
  }
  const { version: _version, confirmation: _confirmation, updatedAt: _at, updatedBy: _by, ...fields } = parsed.data;
  // The form always sends the field; an empty one is no reminder at all.
  const settings = {
    ...fields,
    connectionPolicy: {
      ...fields.connectionPolicy,
      biometricPriorConnection: typed.connectionPolicy.biometricPriorConnection,
    },
    passkeySignIn: typed.passkeySignIn,
    phishingResistantRoles: fields.phishingResistantRoles ?? [],
    reminderDays: fields.reminderDays ?? [],
  };
  return { ok: true, settings, version: parsed.data.version, view };
}

/** The proposed policy as hidden fields, so the confirmation page posts it again unchanged. */
export function hiddenPolicyFields(
  s: MfaPolicySettings,
  version: number | undefined,
): { name: string; value: string }[] {
  return [
    ...(s.requireMfa ? [{ name: 'requireMfa', value: 'on' }] : []),
    ...s.requiredRoles.map((value) => ({ name: 'requiredRoles', value })),
    ...s.allowedMethods.map((value) => ({ name: 'allowedMethods', value })),
    ...s.enforceOn.map((value) => ({ name: 'enforceOn', value })),
    { name: 'gracePeriodDays', value: String(s.gracePeriodDays) },
    { name: 'rememberDeviceDays', value: String(s.rememberDeviceDays) },
    { name: 'reauthMaxAgeMinutes', value: String(s.reauthMaxAgeMinutes) },
    { name: 'reminderDays', value: s.reminderDays.join(', ') },
    ...(s.connectionPolicy.totpPriorConnection ? [{ name: 'totpPriorConnection', value: 'on' }] : []),
    ...(s.connectionPolicy.biometricPriorConnection ? [{ name: 'biometricPriorConnection', value: 'on' }] : []),
    ...(s.passkeySignIn ? [{ name: 'passkeySignIn', value: 'on' }] : []),
    ...s.phishingResistantRoles.map((value) => ({ name: 'phishingResistantRoles', value })),
    ...(version === undefined ? [] : [{ name: 'version', value: String(version) }]),
  ];
}

/** A form field that may repeat (ticked boxes of one name): always a list, never more than a few. */
function listOf(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.slice(0, 10).map((v) => String(v).slice(0, 40));
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value.trim().slice(0, 10) : '';
}

function wholeNumber(text: string): number {
  return /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
}
