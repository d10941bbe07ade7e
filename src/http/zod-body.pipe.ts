import { type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { DomainError, type FieldError } from '../common/errors/domain-error.js';

/** Deeper than any request Stepguard accepts; past it the walk refuses instead of recursing on. */
const MAX_DEPTH = 16;
/** Enough to point at the problem without echoing a whole hostile body back. */
const MAX_ERRORS = 10;
export const UNSTORABLE = 'must not contain NUL or unpaired surrogate characters';

/**
 * Validates a body, query or param object with a zod schema, after refusing any string the database
 * cannot store. Object schemas should be `.strict()` so unknown fields are refused, not dropped.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown, metadata?: ArgumentMetadata): z.infer<S> {
    const root = metadata?.data ?? '';
    const unstorable = unstorableStrings(value, root);
    if (unstorable.length) throw invalid(unstorable);
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    const errors = parsed.error.issues.map((issue) => ({
      field: issue.path.length ? join(root, issue.path.join('.')) : root || fieldsOf(issue) || '(body)',
      message: issue.message,
    }));
    throw invalid(errors);
  }
}

/**
 * Fields holding strings PostgreSQL cannot store faithfully. `text` cannot hold NUL (and MikroORM
 * inlines values into the SQL, so a NUL cuts the statement short: a protocol error, a 500); a lone
 * UTF-16 surrogate has no UTF-8 form (refused inside JSON, silently turned into U+FFFD elsewhere).
 * Run on every string and key before any schema, so no route can forget it.
 */
export function unstorableStrings(value: unknown, root = ''): FieldError[] {
  const errors: FieldError[] = [];
  const visit = (v: unknown, path: string, depth: number): void => {
    if (errors.length >= MAX_ERRORS) return;
    if (typeof v === 'string') {
      if (!storable(v)) errors.push({ field: path || '(body)', message: UNSTORABLE });
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    if (depth >= MAX_DEPTH) {
      errors.push({ field: path || '(body)', message: 'is nested too deeply' });
      return;
    }
    const entries: [string, unknown][] = Array.isArray(v)
      ? v.map((item, i) => [String(i), item])
      : Object.entries(v as Record<string, unknown>);
    for (const [key, item] of entries) {
      const field = join(path, key);
      if (!storable(key)) errors.push({ field, message: UNSTORABLE });
      else visit(item, field, depth + 1);
      if (errors.length >= MAX_ERRORS) return;
    }
  };
  visit(value, root, 0);
  return errors;
}

// String.prototype.isWellFormed is ES2024 (Node 20+); the project's `lib` (es2023) does not declare it.
const isWellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();
const storable = (s: string) => !s.includes('\u0000') && isWellFormed(s);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
const invalid = (errors: FieldError[]) => new DomainError('validation_failed', 'The request is not valid', { errors });

function fieldsOf(issue: z.core.$ZodIssue): string {
  return issue.code === 'unrecognized_keys' ? issue.keys.join(',') : '';
}
