import { conflict, DomainError, notFound } from '../common/errors/domain-error.js';

export const tenantSlugTaken = (slug: string) => conflict(`The tenant slug "${slug}" is taken`);
export const emailTaken = () => conflict('A user with this e-mail already exists in this tenant');
export const userNotFound = () => notFound('User');
export const tenantNotFound = () => notFound('Tenant');
export const wrongCurrentPassword = () => new DomainError('invalid_credentials', 'The current password is not correct');
export const passwordReused = () =>
  new DomainError('validation_failed', 'The new password must differ from the current one', {
    errors: [{ field: 'newPassword', message: 'must differ from the current password' }],
  });
