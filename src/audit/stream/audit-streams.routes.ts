import { Body, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CurrentPrincipal } from '../../common/access/access.decorators.js';
import { actorOf, type Principal } from '../../common/access/principal.js';
import type { RequestMeta } from '../../common/actor.js';
import { ApiJsonBody, ApiProblems } from '../../http/openapi.js';
import { ReqMeta } from '../../http/request-meta.js';
import { ZodPipe } from '../../http/zod-body.pipe.js';
import { z } from 'zod';
import { AuditSinkViews } from './audit-sink-views.js';
import {
  CreateAuditSinkCommand,
  DeleteAuditSinkCommand,
  ReplayAuditSinkCommand,
  ResolveParkedEventCommand,
  RotateAuditSinkSecretCommand,
  SetAuditSinkStateCommand,
  TestAuditSinkCommand,
  UpdateAuditSinkCommand,
} from './commands/audit-sink.commands.js';
import {
  createAuditSinkSchema,
  parkedEventSchema,
  replayAuditSinkSchema,
  rotateSecretSchema,
  updateAuditSinkSchema,
  type CreateAuditSinkInput,
  type ParkedEventInput,
  type ReplayAuditSinkInput,
  type UpdateAuditSinkInput,
} from './dto/audit-sink.schemas.js';

const sinkId = new ZodPipe(z.uuid());

/**
 * The sink routes, shared by a tenant's (`/v1/admin/audit-streams`) and the operator's platform sinks
 * (`/v1/operator/audit-streams`); each subclass says who may call them and whose sinks they are.
 */
export abstract class AuditStreamsRoutes {
  constructor(
    private readonly commands: CommandBus,
    private readonly views: AuditSinkViews,
  ) {}

  /** Whose sinks: the caller's tenant, or null for the platform's. */
  protected abstract ownerOf(p: Principal): string | null;

  @Get()
  @ApiProblems(401, 403)
  async list(@CurrentPrincipal() p: Principal) {
    return { sinks: await this.views.list(this.ownerOf(p)) };
  }

  @Post()
  @HttpCode(201)
  @ApiJsonBody(createAuditSinkSchema)
  @ApiProblems(400, 401, 403)
  async create(
    @CurrentPrincipal() p: Principal,
    @Body(new ZodPipe(createAuditSinkSchema)) body: CreateAuditSinkInput,
    @ReqMeta() meta: RequestMeta,
  ) {
    const { sink, secret } = await this.commands.execute(
      new CreateAuditSinkCommand(this.ownerOf(p), body, actorOf(p), meta),
    );
    return this.views.withSecret(sink, secret);
  }

  @Get(':id')
  @ApiProblems(400, 401, 403, 404)
  one(@CurrentPrincipal() p: Principal, @Param('id', sinkId) id: string) {
    return this.views.one(this.ownerOf(p), id);
  }

  @Patch(':id')
  @ApiJsonBody(updateAuditSinkSchema)
  @ApiProblems(400, 401, 403, 404)
  async update(
    @CurrentPrincipal() p: Principal,
    @Param('id', sinkId) id: string,
    @Body(new ZodPipe(updateAuditSinkSchema)) body: UpdateAuditSinkInput,
    @ReqMeta() meta: RequestMeta,
  ) {
    await this.commands.execute(new UpdateAuditSinkCommand(this.ownerOf(p), id, body, actorOf(p), meta));
    return this.views.one(this.ownerOf(p), id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiProblems(400, 401, 403, 404)
  async remove(@CurrentPrincipal() p: Principal, @Param('id', sinkId) id: string, @ReqMeta() meta: RequestMeta) {
    await this.commands.execute(new DeleteAuditSinkCommand(this.ownerOf(p), id, actorOf(p), meta));
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiProblems(400, 401, 403, 404)
  pause(@CurrentPrincipal() p: Principal, @Param('id', sinkId) id: string, @ReqMeta() meta: RequestMeta) {
    return this.setState(p, id, 'paused', meta);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiProblems(400, 401, 403, 404)
  resume(@CurrentPrincipal() p: Principal, @Param('id', sinkId) id: string, @ReqMeta() meta: RequestMeta) {
    return this.setState(p, id, 'active', meta);
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiProblems(400, 401, 403, 404)
  test(@CurrentPrincipal() p: Principal, @Param('id', sinkId) id: string) {
    return this.commands.execute(new TestAuditSinkCommand(this.ownerOf(p), id));
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiJsonBody(replayAuditSinkSchema)
  @ApiProblems(400, 401, 403, 404)
  replay(
    @CurrentPrincipal() p: Principal,
    @Param('id', sinkId) id: string,
    @Body(new ZodPipe(replayAuditSinkSchema)) body: ReplayAuditSinkInput,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.commands.execute(new ReplayAuditSinkCommand(this.ownerOf(p), id, body, actorOf(p), meta));
  }

  @Post(':id/skip')
  @HttpCode(200)
  @ApiJsonBody(parkedEventSchema)
  @ApiProblems(400, 401, 403, 404, 409)
  skip(
    @CurrentPrincipal() p: Principal,
    @Param('id', sinkId) id: string,
    @Body(new ZodPipe(parkedEventSchema)) body: ParkedEventInput,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.resolve(p, id, 'skip', body, meta);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiJsonBody(parkedEventSchema)
  @ApiProblems(400, 401, 403, 404, 409)
  retry(
    @CurrentPrincipal() p: Principal,
    @Param('id', sinkId) id: string,
    @Body(new ZodPipe(parkedEventSchema)) body: ParkedEventInput,
    @ReqMeta() meta: RequestMeta,
  ) {
    return this.resolve(p, id, 'retry', body, meta);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiJsonBody(rotateSecretSchema)
  @ApiProblems(400, 401, 403, 404, 409)
  async rotateSecret(
    @CurrentPrincipal() p: Principal,
    @Param('id', sinkId) id: string,
    @Body(new ZodPipe(rotateSecretSchema)) body: z.output<typeof rotateSecretSchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    const { sink, secret } = await this.commands.execute(
      new RotateAuditSinkSecretCommand(this.ownerOf(p), id, body.overlapHours, actorOf(p), meta),
    );
    return this.views.withSecret(sink, secret);
  }

  private async setState(p: Principal, id: string, to: 'paused' | 'active', meta: RequestMeta) {
    await this.commands.execute(new SetAuditSinkStateCommand(this.ownerOf(p), id, to, actorOf(p), meta));
    return this.views.one(this.ownerOf(p), id);
  }

  private async resolve(p: Principal, id: string, how: 'retry' | 'skip', body: ParkedEventInput, meta: RequestMeta) {
    await this.commands.execute(new ResolveParkedEventCommand(this.ownerOf(p), id, how, body, actorOf(p), meta));
    return this.views.one(this.ownerOf(p), id);
  }
}
