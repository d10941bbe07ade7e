import { MikroORM } from '@mikro-orm/postgresql';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { Clock } from '../../../common/clock.js';
import { GENESIS_HASH } from '../../audit-hash.js';
import { findSink, inSinkScope } from '../sink-scope.js';
import { SinkTransports } from '../sink-transports.js';
import { TestAuditSinkCommand } from './audit-sink.commands.js';

/**
 * Sends one test event through the sink's real transport and format and says what the receiver answered.
 * It has seq 0 and action `AuditStreamTest`: no chain has a seq 0, so a receiver verifying the chain
 * can tell it apart (and the cursor does not move).
 */
@CommandHandler(TestAuditSinkCommand)
export class TestAuditSinkHandler implements ICommandHandler<TestAuditSinkCommand> {
  constructor(
    private readonly orm: MikroORM,
    private readonly transports: SinkTransports,
    private readonly clock: Clock,
  ) {}

  async execute({ tenantId, sinkId }: TestAuditSinkCommand) {
    const sink = await inSinkScope(tenantId, () => findSink(this.orm.em.fork(), tenantId, sinkId));
    const id = randomUUID();
    const started = performance.now();
    const transport = this.transports.once(sink);
    try {
      const delivery = await transport.deliver({
        id,
        items: [
          {
            kind: 'event',
            event: {
              seq: 0,
              id,
              tenantId,
              occurredAt: this.clock.now().toISOString(),
              action: 'AuditStreamTest',
              outcome: 'success',
              actor: { type: 'system', id: null },
              target: { type: 'audit_sink', id: sinkId },
              ip: null,
              userAgent: null,
              details: { note: 'A test event sent from Stepguard; it is not part of the audit chain.' },
              prevHash: GENESIS_HASH,
              hash: GENESIS_HASH,
            },
          },
        ],
      });
      return { ...delivery, elapsedMs: Math.round(performance.now() - started) };
    } finally {
      await transport.close();
    }
  }
}
