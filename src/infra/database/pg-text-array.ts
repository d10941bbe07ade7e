/**
 * A PostgreSQL array literal (`{"a","b"}`) for one `?::text[]` parameter: the driver would expand an array
 * parameter into a list. Each element is double-quoted with `\` and `"` escaped, so any text is one element
 * (a tenant id with its dashes, a word with a comma), and NUL, which text cannot hold, is refused.
 */
export function pgTextArray(values: readonly string[]): string {
  if (values.some((v) => v.includes('\0'))) throw new Error('pgTextArray: text cannot hold NUL');
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The same, for one `?::uuid[]` parameter: every value must be a UUID. */
export function pgUuidArray(values: readonly string[]): string {
  if (values.some((v) => !UUID.test(v))) throw new Error('pgUuidArray takes UUIDs only');
  return `{${values.join(',')}}`;
}
