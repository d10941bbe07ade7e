import { Get, Logger, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentPrincipal, RequirePermission } from '../../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../../common/access/principal-read.js';
import { adminUsersMfaQuerySchema, AdminUsersMfa, MFA_OF_USER } from '../../compliance/index.js';
import { ZodPipe } from '../../http/zod-body.pipe.js';
import type { SessionPrincipal } from '../../sessions/index.js';
import { PageController } from '../page-controller.js';
import { PageFrames } from '../page-frames.js';
import { PageRenderer } from '../page-renderer.js';
import { USERS_CSV_HEADER, userCsvLine } from './users-csv.js';
import { FILTER_NAMES, userRow } from './users-view.js';

const listQuery = new ZodPipe(adminUsersMfaQuerySchema);
/** Users per query while exporting: the export walks the whole filter in keyset pages. */
const EXPORT_BATCH = 200;

/**
 * The tenant's users with their MFA standing (`users:read`, as `GET /v1/admin/users`): the API's filter and
 * keyset paging as a form that works without JavaScript, and the same list as a CSV download.
 */
@PageController('admin')
export class UsersPages {
  private readonly logger = new Logger('UsersPages');

  constructor(
    private readonly users: AdminUsersMfa,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  @Get('users')
  @RequirePermission('users:read')
  @ReadsWithPrincipal(MFA_OF_USER)
  async list(@CurrentPrincipal() p: SessionPrincipal, @Query() raw: Record<string, unknown>, @Res() res: Response) {
    const q = listQuery.transform(withoutEmpty(raw));
    const page = await this.users.page(p.tenantId, { cursor: q.cursor, filter: q.mfa, limit: q.limit });
    const { frame } = await this.frames.forUser(p, 'Users', 'admin');
    const filter = q.mfa ?? '';
    // A page size asked for stays on the paging links.
    const limit = typeof raw.limit === 'string' && raw.limit !== '' ? String(q.limit) : '';
    this.pages.send(res, 'admin-users', frame, {
      adminSection: 'users',
      users: page.users.map(userRow),
      filters: Object.entries(FILTER_NAMES).map(([value, name]) => ({ value, name, selected: value === filter })),
      filterName: FILTER_NAMES[filter],
      filtered: filter !== '',
      nextPage: page.nextCursor ? href('/admin/users', { mfa: filter, limit, cursor: page.nextCursor }) : null,
      firstPage: q.cursor ? href('/admin/users', { mfa: filter, limit }) : null,
      paged: Boolean(page.nextCursor || q.cursor),
      csv: href('/admin/users.csv', { mfa: filter }),
    });
  }

  @Get('users.csv')
  @RequirePermission('users:read')
  async csv(@CurrentPrincipal() p: SessionPrincipal, @Query() raw: Record<string, unknown>, @Res() res: Response) {
    const q = listQuery.transform(withoutEmpty(raw));
    const name = `users-${p.tenant.slug}-${q.mfa ?? 'all'}.csv`;
    res.status(200).type('text/csv; charset=utf-8').attachment(name);
    res.write(USERS_CSV_HEADER);
    let cursor: string | undefined = q.cursor;
    try {
      do {
        const page = await this.users.page(p.tenantId, { cursor, filter: q.mfa, limit: EXPORT_BATCH });
        res.write(page.users.map(userCsvLine).join(''));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    } catch (error) {
      // The status went out with the first line: cut the download short, so it cannot pass for a whole one.
      this.logger.error(`CSV export of tenant ${p.tenantId} failed: ${String(error)}`);
      res.destroy();
      return;
    }
    res.end();
  }
}

/** A GET form sends its empty choices as empty strings: the API's query knows them as absent. */
function withoutEmpty(raw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ''));
}

function href(path: string, params: Record<string, string>): string {
  const query = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== '')).toString();
  return query ? `${path}?${query}` : path;
}
