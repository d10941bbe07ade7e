import { notFound } from '../common/errors/domain-error.js';

export const sessionNotFound = () => notFound('Session');
