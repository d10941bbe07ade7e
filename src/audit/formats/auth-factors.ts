/** An OCSF `auth_factor` object. */
export interface OcsfAuthFactor {
  factor_type_id: number;
  factor_type: string;
  is_totp?: boolean;
}

/**
 * OCSF `factor_type_id` of each method name Stepguard's details use: a challenge's `method`, a factor's
 * `factorType`, a session's `amr`. A backup code and a remembered device have no factor type of their
 * own in OCSF: Other, named.
 */
const FACTORS: Readonly<Record<string, OcsfAuthFactor>> = {
  pwd: { factor_type_id: 11, factor_type: 'Password' },
  totp: { factor_type_id: 7, factor_type: 'OTP', is_totp: true },
  otp: { factor_type_id: 7, factor_type: 'OTP', is_totp: true },
  email: { factor_type_id: 8, factor_type: 'Email' },
  backup_code: { factor_type_id: 99, factor_type: 'Backup Code' },
  remembered_device: { factor_type_id: 99, factor_type: 'Remembered Device' },
  webauthn: { factor_type_id: 10, factor_type: 'WebAuthn' },
  passkey: { factor_type_id: 10, factor_type: 'WebAuthn' },
};

export function authFactorOf(method: string): OcsfAuthFactor {
  return FACTORS[method] ?? { factor_type_id: 99, factor_type: method };
}

/**
 * The methods an event's details name: a check's `method` (a step-up's details also hold the session's
 * whole `amr`, which is not what was checked), else a factor's `factorType`, else a session's `amr`.
 */
export function methodsIn(details: Record<string, unknown>): string[] {
  const { amr, method, factorType } = details;
  if (typeof method === 'string') return [method];
  if (typeof factorType === 'string') return [factorType];
  if (Array.isArray(amr)) return amr.filter((m): m is string => typeof m === 'string');
  return [];
}

/**
 * Whether a session's `amr` holds more than the password, as its assurance level counts it (a remembered
 * device is a second factor proven earlier); undefined when the details carry no `amr`.
 */
export function amrIsMfa(details: Record<string, unknown>): boolean | undefined {
  return Array.isArray(details['amr']) ? details['amr'].some((m) => m !== 'pwd') : undefined;
}
