import { Module } from '@nestjs/common';
import { OutboxRelay } from './outbox-relay.js';

/** The transactional outbox's relay; the rows themselves are written by the slices' handlers. */
@Module({ providers: [OutboxRelay], exports: [OutboxRelay] })
export class OutboxModule {}
