import { Module } from '@nestjs/common';
import { OutboxRelay } from './outbox-relay.js';
import { OutboxRequeue } from './outbox-requeue.js';

/** The transactional outbox's relay and its repair; the rows themselves are written by the slices' handlers. */
@Module({ providers: [OutboxRelay, OutboxRequeue], exports: [OutboxRelay, OutboxRequeue] })
export class OutboxModule {}
