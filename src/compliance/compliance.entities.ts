import { MfaGraceNotice } from './grace/mfa-grace-notice.entity.js';

/** The tables this slice owns, for the ORM (the composition root lists every slice's). */
export const COMPLIANCE_ENTITIES = [MfaGraceNotice];
