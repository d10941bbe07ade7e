import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { problemOf } from '../common/errors/problem.filter.js';
import { MESSAGES } from './messages.js';
import { PageRenderer } from './page-renderer.js';

/**
 * Failures on a page become pages: a visitor without a session goes to sign-in, anything else gets a
 * page that says in words what happened and what to do, never a stack trace or an API's detail.
 */
@Catch()
export class PageErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('PageErrors');

  constructor(private readonly pages: PageRenderer) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    if (res.headersSent) return;
    const { problem, retryAfter } = problemOf(exception, req.originalUrl, this.logger);
    if (problem.code === 'unauthorized') return res.redirect(303, '/account/sign-in');
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    this.pages.send(
      res,
      'error',
      { title: 'Something stopped you', formToken: '' },
      { message: MESSAGES[problem.code], code: problem.code },
      problem.status,
    );
  }
}
