/**
 * Field names whose values never reach a log line: credentials, session tokens and API keys, factor
 * secrets, one-time codes. Matched at any depth up to five levels, because handlers log whatever
 * object they hold and a secret two levels down is still a secret.
 */
export const SECRET_FIELDS = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'deviceToken',
  'appKey',
  'key',
  'secret',
  'code',
  'backupCodes',
] as const;

/**
 * Request headers that carry credentials; `x-stepguard-device` plus a password skips MFA, and an
 * `x-stepguard-app-key` chooses which app's rules a sign-in is held to.
 */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-stepguard-device', 'x-stepguard-app-key'];

function atAnyDepth(field: string, maxDepth = 5): string[] {
  return Array.from({ length: maxDepth }, (_, depth) => [...Array<string>(depth).fill('*'), field].join('.'));
}

export const REDACTED_PATHS: string[] = [
  ...SECRET_HEADERS.map((name) => `req.headers["${name}"]`),
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((field) => atAnyDepth(field)),
];

export const CENSOR = '[redacted]';

const SECRET_NAMES = new Set<string>(SECRET_FIELDS.map((f) => f.toLowerCase()));

/** A URL for the log: query values whose name is a secret field are censored (reset links carry tokens). */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const name of new Set(params.keys())) {
    if (SECRET_NAMES.has(name.toLowerCase())) {
      params.set(name, CENSOR);
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}
