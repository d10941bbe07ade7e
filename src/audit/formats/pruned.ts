/** The object without its undefined members, so a rendering holds only what is known. */
export function pruned<T extends Record<string, unknown>>(object: T): Partial<T> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) kept[key] = value;
  return kept as Partial<T>;
}
