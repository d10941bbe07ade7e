import { MfaChallenge } from './mfa-challenge.entity.js';

/** The tables this slice owns, for the ORM (the composition root lists every slice's). */
export const AUTH_ENTITIES = [MfaChallenge];
