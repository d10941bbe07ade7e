import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { OperatorOnly } from '../common/access/access.decorators.js';
import type { RequestMeta } from '../common/actor.js';
import { ApiJsonBody, ApiProblems } from '../http/openapi.js';
import { ReqMeta } from '../http/request-meta.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { CreateTenantCommand } from './commands/create-tenant.command.js';
import { createTenantSchema } from './dto/identity.schemas.js';

@ApiTags('tenants')
@ApiBearerAuth('operator')
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @OperatorOnly()
  @ApiJsonBody(createTenantSchema)
  @ApiProblems(400, 401, 409)
  async create(
    @Body(new ZodPipe(createTenantSchema)) body: z.infer<typeof createTenantSchema>,
    @ReqMeta() meta: RequestMeta,
  ) {
    const { tenant, admin } = await this.commands.execute(
      new CreateTenantCommand(body, { type: 'operator', id: null }, meta),
    );
    return {
      tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
      admin: { id: admin.id, email: admin.email },
    };
  }
}
