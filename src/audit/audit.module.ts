import { Module } from '@nestjs/common';
import { secretBoxProvider } from '../common/crypto/secret-box.provider.js';
import { OutboxModule } from '../infra/outbox/outbox.module.js';
import { QueuesModule } from '../infra/queues/queues.module.js';
import { AuditLog } from './audit-log.js';
import { AuditVerifier } from './audit-verifier.js';
import { AuditController } from './audit.controller.js';
import { AuditEventsController } from './audit-events.controller.js';
import { AuditedAttempt } from './audited.js';
import { AuditCheckpointsController } from './checkpoints/audit-checkpoints.controller.js';
import { AuditKeysController } from './checkpoints/audit-keys.controller.js';
import { AuditCheckpointReader } from './checkpoints/checkpoint-reader.js';
import { CheckpointSigner } from './checkpoints/checkpoint-signer.js';
import { TakeAuditCheckpointsHandler } from './checkpoints/commands/take-audit-checkpoints.handler.js';
import { ListAuditCheckpointsHandler } from './checkpoints/queries/list-audit-checkpoints.handler.js';
import { ListAuditEventsHandler } from './queries/list-audit-events.handler.js';
import { PurgeAuditLogHandler } from './retention/commands/purge-audit-log.handler.js';
import { SecurityNotices } from './security-notices.js';
import { AuditSinkViews } from './stream/audit-sink-views.js';
import { AuditStreamHealth } from './stream/audit-stream-health.js';
import { PlatformAuditStreamsController, TenantAuditStreamsController } from './stream/audit-streams.controllers.js';
import { CreateAuditSinkHandler } from './stream/commands/create-audit-sink.handler.js';
import { DeleteAuditSinkHandler } from './stream/commands/delete-audit-sink.handler.js';
import { ReencryptAuditSinkSecretsHandler } from './stream/commands/reencrypt-audit-sink-secrets.handler.js';
import { ReplayAuditSinkHandler } from './stream/commands/replay-audit-sink.handler.js';
import { ResolveParkedEventHandler } from './stream/commands/resolve-parked-event.handler.js';
import { RotateAuditSinkSecretHandler } from './stream/commands/rotate-audit-sink-secret.handler.js';
import { SetAuditSinkStateHandler } from './stream/commands/set-audit-sink-state.handler.js';
import { TestAuditSinkHandler } from './stream/commands/test-audit-sink.handler.js';
import { UpdateAuditSinkHandler } from './stream/commands/update-audit-sink.handler.js';
import { DeliverChain } from './stream/deliver-chain.js';
import { SinkCursors } from './stream/sink-cursors.js';
import { SinkEgress } from './stream/sink-egress.js';
import { SinkIncidents } from './stream/sink-incidents.js';
import { SinkSecrets } from './stream/sink-secrets.js';
import { SinkTransports } from './stream/sink-transports.js';
import { StreamReader } from './stream/stream-reader.js';
import { StreamWake } from './stream/stream-wake.js';
import { WakeOnCheckpointsHandler } from './stream/wake-on-checkpoints.handler.js';

@Module({
  imports: [OutboxModule, QueuesModule],
  controllers: [
    AuditController,
    AuditEventsController,
    AuditCheckpointsController,
    AuditKeysController,
    TenantAuditStreamsController,
    PlatformAuditStreamsController,
  ],
  providers: [
    AuditLog,
    AuditedAttempt,
    AuditVerifier,
    ListAuditEventsHandler,
    SecurityNotices,
    secretBoxProvider,
    AuditSinkViews,
    AuditStreamHealth,
    CreateAuditSinkHandler,
    UpdateAuditSinkHandler,
    DeleteAuditSinkHandler,
    SetAuditSinkStateHandler,
    ReplayAuditSinkHandler,
    ReencryptAuditSinkSecretsHandler,
    ResolveParkedEventHandler,
    RotateAuditSinkSecretHandler,
    TestAuditSinkHandler,
    DeliverChain,
    SinkCursors,
    SinkEgress,
    SinkIncidents,
    SinkSecrets,
    SinkTransports,
    StreamReader,
    StreamWake,
    WakeOnCheckpointsHandler,
    CheckpointSigner,
    AuditCheckpointReader,
    TakeAuditCheckpointsHandler,
    ListAuditCheckpointsHandler,
    PurgeAuditLogHandler,
  ],
  exports: [
    AuditLog,
    AuditedAttempt,
    AuditVerifier,
    SecurityNotices,
    AuditCheckpointReader,
    AuditSinkViews,
    AuditStreamHealth,
    DeliverChain,
    StreamWake,
  ],
})
export class AuditModule {}
