import { TableNotFoundException } from '@mikro-orm/core';
import { ConfigError } from '../../config/index.js';
import { DomainError } from '../common/errors/domain-error.js';

/** The one line a failed command prints on stderr. */
export function describeFailure(error: unknown): string {
  if (error instanceof DomainError) {
    const fields = error.extra.errors?.map((e) => `${e.field}: ${e.message}`).join('; ');
    return `error: ${error.code}: ${error.message}${fields ? ` (${fields})` : ''}`;
  }
  if (error instanceof ConfigError) return `error: configuration: ${error.message}`;
  if (error instanceof TableNotFoundException) {
    return 'error: the database has no Stepguard schema yet: run `npm run stepguard -- migrate` first';
  }
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}
