import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AuditLog } from '../../audit/audit-log.js';
import { type Tx, UnitOfWork } from '../../common/cqrs/unit-of-work.js';
import { notFound } from '../../common/errors/domain-error.js';
import { UsersDirectory } from '../../identity/users-directory.js';
import { RememberedDevices } from '../../sessions/remembered-devices/remembered-devices.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import { SessionDisconnectedEvent, StepUpRequestedEvent } from '../events/step-up.events.js';
import { LiveConnections } from '../live-connections.js';
import { RequestStepUpCommand, type StepUpRequestOutcome, type StepUpTarget } from './request-step-up.command.js';

/**
 * The flag is committed (with its audit entry) before any socket is touched: a node that misses the
 * kick, or a client that reconnects at once, still meets the flag in PostgreSQL at its handshake.
 */
@CommandHandler(RequestStepUpCommand)
export class RequestStepUpHandler implements ICommandHandler<RequestStepUpCommand> {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly sessions: SessionsService,
    private readonly devices: RememberedDevices,
    private readonly directory: UsersDirectory,
    private readonly connections: LiveConnections,
  ) {}

  async execute({ tenantId, target, reason, actor, request }: RequestStepUpCommand): Promise<StepUpRequestOutcome> {
    const { userId, sessionIds, flagged } = await this.uow.run(async (tx) => {
      const flagged = await this.sessions.requireStepUp(tx, { tenantId, ...target }, reason);
      const sessionId = 'sessionId' in target ? target.sessionId : null;
      const userId = flagged[0]?.userId ?? (await this.ownerOf(tx, tenantId, target));
      // One session's sockets are closed even when it is no longer live: nothing may stay connected on it.
      const sessionIds = sessionId ? [sessionId] : flagged.map((s) => s.id);
      // A new login must not get round the step-up: the user's remembered devices stop skipping the challenge.
      if (!sessionId) await this.devices.forgetAll(tx, { tenantId, userId }, actor, request, { quietWhenNone: true });
      await this.audit.record(tx, new StepUpRequestedEvent(tenantId, userId, sessionIds, reason), {
        actor,
        target: sessionId ? { type: 'session', id: sessionId } : { type: 'user', id: userId },
        request,
        details: { reason, userId, sessionIds: flagged.map((s) => s.id) },
      });
      return { userId, sessionIds, flagged: flagged.length };
    });
    const kicked = await this.connections.kick({ sessionIds, reason, cause: 'step_up_required' });
    const disconnected = Object.entries(kicked.perSession);
    if (disconnected.length) {
      await this.uow.run(async (tx) => {
        for (const [sessionId, sockets] of disconnected) {
          await this.audit.record(tx, new SessionDisconnectedEvent(tenantId, userId, sessionId, sockets, reason), {
            actor,
            target: { type: 'session', id: sessionId },
            request,
            details: { reason, userId, sockets, allNodesReached: kicked.allNodesReached },
          });
        }
      });
    }
    return {
      sessionsAffected: flagged,
      socketsDisconnected: kicked.sockets,
      allNodesReached: kicked.allNodesReached,
    };
  }

  /** Whose sessions these are when none was live to say: another tenant's user or session is not found. */
  private async ownerOf(tx: Tx, tenantId: string, target: StepUpTarget): Promise<string> {
    if ('userId' in target) return (await this.directory.requireUser(tenantId, target.userId)).id;
    const session = await this.sessions.findInTenant(tx, tenantId, target.sessionId);
    if (!session) throw notFound('Session');
    return session.userId;
  }
}
