import { RememberedDevice } from './remembered-devices/remembered-device.entity.js';
import { Session } from './session.entity.js';

/** The tables this slice owns, for the ORM (the composition root lists every slice's). */
export const SESSIONS_ENTITIES = [Session, RememberedDevice];
