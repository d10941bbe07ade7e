import { All } from '@nestjs/common';
import { Public } from '../common/access/access.decorators.js';
import { notFound } from '../common/errors/domain-error.js';
import { PageController } from './page-controller.js';

/**
 * Any other path under the pages answers the "nothing here" page instead of the API's problem+json.
 * Registered after every page controller: express tries routes in that order.
 */
@PageController('')
export class MissingPages {
  @All(['account/*rest', 'admin/*rest'])
  @Public()
  missing(): never {
    throw notFound('Page');
  }
}
