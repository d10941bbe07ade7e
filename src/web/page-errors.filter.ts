import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, type ErrorCode } from '../common/errors/domain-error.js';
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
    const redirect = redirectFor(exception, problem.code);
    if (redirect) return res.redirect(303, redirect);
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

/**
 * Where a refusal that the user can resolve sends them: signed out → sign-in; a session that may only
 * enrol → the set-up page; a session flagged by a Disconnect → the step-up page.
 */
function redirectFor(exception: unknown, code: ErrorCode): string | null {
  if (code === 'unauthorized') return '/account/sign-in';
  if (code === 'step_up_required') return '/account/step-up';
  const denial =
    exception instanceof DomainError ? (exception.extra.debug as { denial?: string } | undefined) : undefined;
  return denial?.denial === 'enrollment_only' ? '/account/mfa/set-up' : null;
}
