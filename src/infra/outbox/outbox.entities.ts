import { OutboxMessage } from './outbox-message.entity.js';

/** The outbox table, for the ORM (the composition root lists every slice's tables and this one). */
export const OUTBOX_ENTITIES = [OutboxMessage];
