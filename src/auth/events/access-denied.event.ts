/** Why an authenticated (or would-be) caller was turned away before reaching a use case. */
export type AccessDenial =
  | 'forbidden'
  | 'step_up_required'
  | 'enrollment_only'
  | 'wrong_app'
  | 'operator_token'
  | 'bad_token'
  | 'socket_refused'
  /** A page's form posted without its token, or from another origin. */
  | 'form_forgery';

/** One per refused request, for the metrics; only the first of a window per caller is audited (AccessRefusals). */
export class AccessDeniedEvent {
  static readonly type = 'AccessDenied';
  constructor(
    readonly tenantId: string | null,
    readonly reason: AccessDenial,
  ) {}
}
