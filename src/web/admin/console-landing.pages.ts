import { Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentPrincipal } from '../../common/access/access.decorators.js';
import type { Permission } from '../../common/access/roles.js';
import { forbidden } from '../../common/errors/domain-error.js';
import type { SessionPrincipal } from '../../sessions/index.js';
import { PageController } from '../page-controller.js';

/** The console's sections in the order of its nav, each with the permission its pages ask for. */
const SECTIONS: readonly { path: string; permission: Permission }[] = [
  { path: '/admin/policy', permission: 'tenant:manage' },
  { path: '/admin/users', permission: 'users:read' },
  { path: '/admin/audit', permission: 'audit:read' },
];

/** `/admin`: the first section of the console this user may open; the forbidden page when there is none. */
@PageController('admin')
export class ConsoleLandingPages {
  @Get()
  landing(@CurrentPrincipal() p: SessionPrincipal, @Res() res: Response): void {
    const section = SECTIONS.find((s) => p.permissions.has(s.permission));
    if (!section) throw forbidden('This user may open no section of the admin console');
    res.redirect(303, section.path);
  }
}
