import { forbidden, notFound } from '../common/errors/domain-error.js';

export const sessionNotFound = () => notFound('Session');
export const adminSessionsProtected = () => forbidden("Only an admin may see or end an admin's sessions");
