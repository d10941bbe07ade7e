import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../common/access/access.decorators.js';
import type { UserPrincipal } from '../common/access/principal.js';
import { Clock } from '../common/clock.js';
import { ApiJsonBody, ApiProblems } from '../http/openapi.js';
import { ZodPipe } from '../http/zod-body.pipe.js';
import { completedPolicy, type MfaPolicyInput, mfaPolicySchema, MfaPolicyStore } from '../policy/index.js';
import { settingsOf } from './mfa-policy.controller.js';
import { MfaPolicyPreview } from './mfa-policy-preview.js';

/** What a proposed MFA policy would do to the tenant's users, before anyone saves it. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/mfa-policy')
export class MfaPolicyPreviewController {
  constructor(
    private readonly previews: MfaPolicyPreview,
    private readonly clock: Clock,
    private readonly store: MfaPolicyStore,
  ) {}

  /** Counts only: nothing is saved, so no re-auth is needed (saving the same body still needs one). */
  @Post('preview')
  @HttpCode(200)
  @RequirePermission('tenant:manage')
  @ApiJsonBody(mfaPolicySchema)
  @ApiProblems(400, 401, 403)
  async preview(@CurrentPrincipal() p: UserPrincipal, @Body(new ZodPipe(mfaPolicySchema)) body: MfaPolicyInput) {
    // What a save would store: a setting left out keeps the value in force, as in `PUT`.
    const { settings: inForce } = await this.store.current(p.tenantId);
    return this.previews.preview(p.tenantId, completedPolicy(settingsOf(body), inForce), this.clock.now());
  }
}
