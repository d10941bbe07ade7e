import type { z } from 'zod';
import { type Flags, UsageError } from './cli-command.js';

export function requiredFlag(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function optionalFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** `a,b, c` → ['a', 'b', 'c'] */
export function listFlag(flags: Flags, name: string): string[] {
  return requiredFlag(flags, name)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * Validates flag values with the same schema the HTTP API uses, so the CLI accepts exactly what the
 * API accepts; a refusal names the flag (`flagOf` maps the schema's field paths to flag names).
 */
export function validInput<S extends z.ZodType>(schema: S, input: unknown, flagOf: Record<string, string>): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.filter((part) => typeof part === 'string').join('.');
  throw new UsageError(`--${flagOf[path] ?? path}: ${issue.message}`);
}
