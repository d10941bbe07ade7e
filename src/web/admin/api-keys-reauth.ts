import { allowedByPolicy } from '../../auth/index.js';
import type { UserMfaStatus } from '../../compliance/index.js';

export type ReauthMethod = 'totp' | 'email' | 'backup_code';

const METHOD_NAMES: Record<ReauthMethod, string> = {
  totp: 'Authenticator app',
  email: 'E-mail code',
  backup_code: 'Backup code',
};

/** What the admin sent to confirm it is them: a code to step the session up with, or a request for one by e-mail. */
export interface ReauthAnswer {
  method: ReauthMethod;
  code: string | null;
  sendEmail: boolean;
}

/**
 * The methods the admin can confirm with: those a step-up of this session accepts (the factors they hold
 * that the policy allows, and backup codes beside them), by the same rule the step-up applies.
 */
export function reauthMethods({ overview, policy, roles }: UserMfaStatus): ReauthMethod[] {
  const held = new Set(overview.factors.map((f) => f.type).filter((t) => t === 'totp' || t === 'email'));
  const methods: ReauthMethod[] = [...held, ...(overview.backupCodesRemaining > 0 ? ['backup_code' as const] : [])];
  return allowedByPolicy(methods, policy, roles);
}

/** The confirmation fields of a posted form, or null when it carried none (the first try). */
export function reauthAnswerOf(body: Record<string, unknown>, methods: readonly ReauthMethod[]): ReauthAnswer | null {
  const method = methods.find((m) => m === body['method']);
  if (!method) return null;
  const code = typeof body['code'] === 'string' ? body['code'].trim().slice(0, 32) : '';
  return { method, code: code || null, sendEmail: body['send'] === 'email' };
}

/** The confirmation part of the form: the methods to choose from, the chosen one first if it was given. */
export function reauthView(methods: readonly ReauthMethod[], chosen: ReauthMethod | null, sent: boolean) {
  const current = chosen ?? methods[0] ?? null;
  return {
    none: methods.length === 0,
    methods: methods.map((id) => ({ id, name: METHOD_NAMES[id], checked: id === current })),
    numeric: current !== 'backup_code',
    email: methods.includes('email'),
    sent,
  };
}
