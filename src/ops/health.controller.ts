import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/access/access.decorators.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ApiProblems } from '../http/openapi.js';
import { type Readiness, ReadinessProbe } from './readiness-probe.js';

/** Probes for orchestrators: liveness says the process runs, readiness that it can serve. */
@ApiTags('ops')
@Controller()
export class HealthController {
  constructor(private readonly probe: ReadinessProbe) {}

  @Get('healthz')
  @Public()
  @ApiOkResponse({ description: 'The process is up' })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Public()
  @ApiOkResponse({
    description: 'PostgreSQL and Redis answer (and, on a node serving sockets, its subscription is live)',
  })
  @ApiProblems(503)
  async readyz(): Promise<{ status: 'ready'; checks: Readiness }> {
    const checks = await this.probe.check();
    const down = Object.entries(checks)
      .filter(([, state]) => state === 'down')
      .map(([name]) => name);
    if (down.length)
      throw new DomainError('service_unavailable', `Not ready: ${down.join(' and ')} down`, { debug: checks });
    return { status: 'ready', checks };
  }
}
