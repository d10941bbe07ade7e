import { ApiKey } from './api-key.entity.js';
import { RegisteredApp } from './apps/app.entity.js';
import { Tenant } from './tenant.entity.js';
import { User } from './user.entity.js';

/** The tables this slice owns, for the ORM (the composition root lists every slice's). */
export const IDENTITY_ENTITIES = [Tenant, User, ApiKey, RegisteredApp];
