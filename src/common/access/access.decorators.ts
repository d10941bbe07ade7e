import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { ApiKeyScope } from './roles.js';
import type { Principal } from './principal.js';

export const ACCESS_KEY = 'stepguard:access';

/** Who may call a route. Routes without a decorator accept any signed-in user (protected by default). */
export type Access =
  | { kind: 'public' }
  | { kind: 'operator' }
  | { kind: 'user' }
  | { kind: 'permission'; permission: ApiKeyScope; apiKeys: boolean; apiKeyScope?: ApiKeyScope };

export const Public = () => SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies Access);
export const OperatorOnly = () => SetMetadata(ACCESS_KEY, { kind: 'operator' } satisfies Access);
/**
 * A signed-in user with this permission, or (when `apiKeys`) an API key with this scope, or with
 * `apiKeyScope` when integrations need a scope of their own (the Disconnect API: `sessions:disconnect`).
 */
export const RequirePermission = (
  permission: ApiKeyScope,
  options: { apiKeys?: boolean; apiKeyScope?: ApiKeyScope } = {},
) =>
  SetMetadata(ACCESS_KEY, {
    kind: 'permission',
    permission,
    apiKeys: options.apiKeys ?? options.apiKeyScope !== undefined,
    ...(options.apiKeyScope ? { apiKeyScope: options.apiKeyScope } : {}),
  } satisfies Access);

export const ENROLLMENT_ALLOWED_KEY = 'stepguard:enrollment-allowed';
/** One of the few routes a session past its enrolment deadline may call (enrol a factor, read `/v1/me`, sign out). */
export const EnrollmentAllowed = () => SetMetadata(ENROLLMENT_ALLOWED_KEY, true);

export const STEP_UP_ALLOWED_KEY = 'stepguard:step-up-allowed';
/**
 * One of the few routes a session flagged step-up-required may call: step up, read `/v1/me`, sign out.
 * Everything else answers 403 `step_up_required` until a factor is verified again.
 */
export const StepUpAllowed = () => SetMetadata(STEP_UP_ALLOWED_KEY, true);

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest<{ principal: Principal }>().principal,
);

export const PAGE_KEY = 'stepguard:page';
/**
 * A server-rendered page (`/account`, `/admin`): the session may come from the page cookie as well as a
 * bearer token. Only pages read the cookie, so no API route can be driven by a browser's ambient cookie.
 */
export const Page = () => SetMetadata(PAGE_KEY, true);
