/**
 * The kinds of app a tenant's MFA policy can be enforced on (`enforceOn`): the admin console and the
 * organisation's client apps. A registered app is one of them; a session knows which one opened it.
 */
export const APPS = ['console', 'client'] as const;
export type App = (typeof APPS)[number];
