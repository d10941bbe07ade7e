import { DomainError, ERROR_STATUS, type ErrorCode, type FieldError } from './domain-error.js';

/** RFC 9457 problem details, with the stable `code` of API.md. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
  instance?: string;
}

const TITLES: Record<ErrorCode, string> = {
  validation_failed: 'Validation failed',
  unauthorized: 'Unauthorized',
  invalid_credentials: 'Invalid credentials',
  reauth_required: 'Re-authentication required',
  invalid_app_key: 'Invalid app key',
  mfa_code_invalid: 'Invalid MFA code',
  forbidden: 'Forbidden',
  policy_requires_mfa: 'The MFA policy requires a factor',
  admin_mfa_required: 'The administrator needs MFA first',
  authenticator_required: 'An authenticator app is needed',
  degraded_session: 'Degraded session',
  step_up_required: 'Step-up required',
  wrong_app: 'Not available to this app',
  form_rejected: 'Form rejected',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  passkeys_unavailable: 'Passkeys unavailable',
  code_already_used: 'Code already used',
  challenge_expired: 'Challenge expired',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  too_many_attempts: 'Too many attempts',
  internal_error: 'Internal server error',
  service_unavailable: 'Service unavailable',
  key_unavailable: 'Encryption key unavailable',
};

export function problemFor(error: DomainError, instance?: string): Problem {
  return problem(error.code, error.message, error.extra.errors, instance);
}

export function problem(code: ErrorCode, detail: string, errors?: FieldError[], instance?: string): Problem {
  return {
    type: `https://stepguard.dev/problems/${code.replace(/_/g, '-')}`,
    title: TITLES[code],
    status: ERROR_STATUS[code],
    detail,
    code,
    ...(errors ? { errors } : {}),
    ...(instance ? { instance } : {}),
  };
}
