import { Command } from '@nestjs/cqrs';
import type { Actor, RequestMeta } from '../../../common/actor.js';
import type { AuditSink } from '../audit-sink.entity.js';
import type {
  CreateAuditSinkInput,
  ParkedEventInput,
  ReplayAuditSinkInput,
  UpdateAuditSinkInput,
} from '../dto/audit-sink.schemas.js';
import type { Delivery } from '../sink-transport.js';

/** Who manages the sink: a tenant's admins and integrations (`tenantId`), or the operator (`null`: platform sinks). */
interface SinkCommand {
  readonly tenantId: string | null;
  readonly actor: Actor;
  readonly meta: RequestMeta;
}

/** A sink, and its secret when one was just generated (shown once). */
export interface SinkWithSecret {
  sink: AuditSink;
  secret: string | null;
}

export class CreateAuditSinkCommand extends Command<SinkWithSecret> implements SinkCommand {
  constructor(
    readonly tenantId: string | null,
    readonly input: CreateAuditSinkInput,
    readonly actor: Actor,
    readonly meta: RequestMeta,
  ) {
    super();
  }
}

export class UpdateAuditSinkCommand extends Command<AuditSink> implements SinkCommand {
  constructor(
    readonly tenantId: string | null,
    readonly sinkId: string,
    readonly input: UpdateAuditSinkInput,
    readonly actor: Actor,
    readonly meta: RequestMeta,
  ) {
    super();
  }
}

export class DeleteAuditSinkCommand extends Command<void> implements SinkCommand {
  constructor(
    readonly tenantId: string | null,
    readonly sinkId: string,
    readonly actor: Actor,
    readonly meta: RequestMeta,
  ) {
    super();
  }
}

export class SetAuditSinkStateCommand extends Command<AuditSink> implements SinkCommand {
  constructor(
    readonly tenantId: string | null,
    readonly sinkId: string,
    readonly to: 'paused' | 'active',
    readonly actor: Actor,
    readonly meta: RequestMeta,
  ) {
    super();
  }
}

export class ReplayAuditSinkCommand extends Command<{ fromSeq: number; chain: string }> implements SinkCommand {
  constructor(
    readonly tenantId: string | null,
    readonly sinkId: string,
    readonly input: ReplayAuditSinkInput,
    readonly actor: Actor,
    readonly meta: RequestMeta,
  ) {
    super();
  }
}

/** An admin's answer to a parked event: send it again, or leave it undelivered (audited) and go on. */
export class ResolveParkedEventCommand extends Command<AuditSink> implements SinkCommand {
  constructor(
    readonly tenantId: string | null,
    readonly sinkId: string,
    readonly resolution: 'retry' | 'skip',
    readonly input: ParkedEventInput,
    readonly actor: Actor,
    readonly meta: RequestMeta,
  ) {
    super();
  }
}

export class RotateAuditSinkSecretCommand extends Command<SinkWithSecret> implements SinkCommand {
  constructor(
    readonly tenantId: string | null,
    readonly sinkId: string,
    readonly overlapHours: number,
    readonly actor: Actor,
    readonly meta: RequestMeta,
  ) {
    super();
  }
}

/** Sends one test item (seq 0, not part of any chain) and reports what the receiver said. */
export class TestAuditSinkCommand extends Command<Delivery & { elapsedMs: number }> {
  constructor(
    readonly tenantId: string | null,
    readonly sinkId: string,
  ) {
    super();
  }
}
