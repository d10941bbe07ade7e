import { applyDecorators, Controller, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Page } from '../common/access/access.decorators.js';
import { DomainError, type ErrorCode } from '../common/errors/domain-error.js';
import { FormGuard } from './form-guard.js';
import { MESSAGES } from './messages.js';
import { PageErrorsFilter } from './page-errors.filter.js';

/**
 * A controller of pages under `path`: the session may come from the page cookie, every POST is checked
 * for forgery, failures render as pages, and none of it is in the OpenAPI document.
 */
export const PageController = (path: string) =>
  applyDecorators(Controller(path), Page(), UseGuards(FormGuard), UseFilters(PageErrorsFilter), ApiExcludeController());

/**
 * The words for a failure a form shows above itself (the same form, the input kept) when its code is one
 * of `codes`; anything else is thrown on to the error page.
 */
export function formFailure(error: unknown, codes: readonly ErrorCode[]): { message: string; status: number } {
  if (error instanceof DomainError && codes.includes(error.code)) {
    return { message: MESSAGES[error.code], status: error.status };
  }
  throw error;
}
