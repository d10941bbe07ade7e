import type { ApiKeyScope } from '../../common/access/roles.js';

/** What each scope lets an integration do, in words, in the order the create form offers them. */
export const SCOPE_WORDS: Record<ApiKeyScope, string> = {
  'sessions:disconnect': 'Disconnect a user: end their live connections and ask them to verify again',
  'users:read': 'Read users and their two-step verification status',
  'sessions:manage': 'See and end users’ sessions',
  'audit:read': 'Read the audit log',
  'audit:stream': 'Manage where the audit log is streamed',
  'tenant:manage': 'Administer the organisation: its policy, users and roles',
};

/** The scopes as the form shows them: each with its words and whether it is ticked. */
export function scopeChoices(checked: readonly string[]) {
  return (Object.keys(SCOPE_WORDS) as ApiKeyScope[]).map((id) => ({
    id,
    words: SCOPE_WORDS[id],
    checked: checked.includes(id),
  }));
}
