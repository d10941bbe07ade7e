import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { DomainError } from './domain-error.js';

/** Turns the database's verdict on a race (two creates, one unique key) into the domain's error. */
export async function onUniqueViolation<T>(work: () => Promise<T>, error: () => DomainError): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof UniqueConstraintViolationException) throw error();
    throw e;
  }
}
