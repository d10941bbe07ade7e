/**
 * A PostgreSQL array literal (`{a,b}`) for one `?::text[]` parameter: the driver would expand an array
 * parameter into a list. Only for closed sets of plain words (roles, methods, apps): nothing is quoted.
 */
export function pgTextArray(values: readonly string[]): string {
  if (values.some((v) => !/^[a-z_]+$/.test(v))) throw new Error('pgTextArray takes plain lower-case words only');
  return `{${values.join(',')}}`;
}
