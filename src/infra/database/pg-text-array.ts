/**
 * A PostgreSQL array literal (`{a,b}`) for one `?::text[]` parameter: the driver would expand an array
 * parameter into a list. Only for closed sets of plain words (roles, methods, apps): nothing is quoted.
 */
export function pgTextArray(values: readonly string[]): string {
  if (values.some((v) => !/^[a-z_]+$/.test(v))) throw new Error('pgTextArray takes plain lower-case words only');
  return `{${values.join(',')}}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The same, for one `?::uuid[]` parameter: every value must be a UUID. */
export function pgUuidArray(values: readonly string[]): string {
  if (values.some((v) => !UUID.test(v))) throw new Error('pgUuidArray takes UUIDs only');
  return `{${values.join(',')}}`;
}
