import { type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { DomainError } from '../errors/domain-error.js';

/**
 * Validates a body, query or param object with a zod schema. Object schemas should be `.strict()`
 * so unknown fields are refused instead of silently dropped.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    const errors = parsed.error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.join('.') : fieldsOf(issue) || '(body)',
      message: issue.message,
    }));
    throw new DomainError('validation_failed', 'The request is not valid', { errors });
  }
}

function fieldsOf(issue: z.core.$ZodIssue): string {
  return issue.code === 'unrecognized_keys' ? issue.keys.join(',') : '';
}
