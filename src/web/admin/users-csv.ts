import type { AdminUserMfaView } from '../../compliance/index.js';

/**
 * What a spreadsheet would run as a formula (OWASP's CSV injection list: = + - @, and tab and carriage
 * return, which some programs strip before looking): such a cell gets a leading quote, so it stays text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell (RFC 4180), defused against formula injection. */
export function csvCell(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: readonly string[]) => `${cells.map(csvCell).join(',')}\r\n`;

export const USERS_CSV_HEADER = csvLine([
  'id',
  'email',
  'roles',
  'mfa_enrolled',
  'mfa_methods',
  'mfa_status',
  'mfa_deadline',
  'created_at',
]);

/** A user as a line of the export: the API's fields, lists joined by spaces. */
export function userCsvLine(u: AdminUserMfaView): string {
  return csvLine([
    u.id,
    u.email,
    u.roles.join(' '),
    u.mfa.enrolled ? 'yes' : 'no',
    u.mfa.factorTypes.join(' '),
    u.mfa.status,
    u.mfa.deadline ?? '',
    u.createdAt,
  ]);
}
