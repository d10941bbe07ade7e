import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { Public } from '../common/access/access.decorators.js';

/**
 * Prometheus text. Public, like the probes: it carries counts and latencies, no tenant or user data.
 * Restrict it at the network (or ingress) when the api is exposed to the internet.
 */
@ApiTags('ops')
@Controller()
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get('metrics')
  @Public()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiProduces(Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOkResponse({ description: 'Prometheus exposition format' })
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
