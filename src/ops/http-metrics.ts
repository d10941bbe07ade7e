import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Histogram, Registry } from 'prom-client';

/**
 * The route template a request matched (`/v1/me/sessions/:sessionId`), never the raw URL: ids in
 * paths would give every request its own series. Anything no route matched shares `unmatched`.
 */
export function routeTemplateOf(req: Request): string {
  const path: unknown = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : 'unmatched';
}

@Injectable()
export class HttpMetrics {
  private readonly duration: Histogram<'method' | 'route' | 'status'>;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  /** Starts timing `req`; the sample is recorded when the response has been sent. */
  track(req: Request, res: Response): void {
    const end = this.duration.startTimer();
    res.once('finish', () => end({ method: req.method, route: routeTemplateOf(req), status: String(res.statusCode) }));
  }
}

@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: HttpMetrics) {}

  use(req: Request, res: Response, next: NextFunction): void {
    this.metrics.track(req, res);
    next();
  }
}
