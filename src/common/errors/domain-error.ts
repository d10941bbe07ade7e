/** Stable error codes of API.md, mapped to HTTP statuses by the problem+json filter. */
export const ERROR_STATUS = {
  validation_failed: 400,
  unauthorized: 401,
  invalid_credentials: 401,
  reauth_required: 401,
  invalid_app_key: 401,
  mfa_code_invalid: 401,
  forbidden: 403,
  policy_requires_mfa: 403,
  admin_mfa_required: 403,
  authenticator_required: 403,
  degraded_session: 403,
  step_up_required: 403,
  wrong_app: 403,
  form_rejected: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  code_already_used: 409,
  passkeys_unavailable: 409,
  challenge_expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_attempts: 429,
  internal_error: 500,
  service_unavailable: 503,
  key_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  field: string;
  message: string;
}

/**
 * A failure of a use case. `message` is public (it becomes the problem's `detail`); `debug` never
 * leaves the server. Services and handlers throw these, never HTTP exceptions: workers call them too.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { errors?: FieldError[]; retryAfterSeconds?: number; debug?: unknown } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const forbidden = (why = 'You do not have permission for this action') => new DomainError('forbidden', why);
export const conflict = (why: string) => new DomainError('conflict', why);
export const unauthorized = () => new DomainError('unauthorized', 'A valid bearer token is required');
