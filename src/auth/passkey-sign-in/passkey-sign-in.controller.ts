import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Public } from '../../common/access/access.decorators.js';
import type { RequestMeta } from '../../common/actor.js';
import { authenticationResponseSchema } from '../../factors/index.js';
import { ApiJsonBody, ApiProblems } from '../../http/openapi.js';
import { ReqMeta } from '../../http/request-meta.js';
import { ZodPipe } from '../../http/zod-body.pipe.js';
import { sessionView } from '../../sessions/index.js';
import { BeginPasskeySignInCommand, SignInWithPasskeyCommand } from './passkey-sign-in.commands.js';

const tenantSchema = z.string().trim().min(1).max(63);
const optionsSchema = z.object({ tenant: tenantSchema }).strict();
const signInSchema = z
  .object({
    tenant: tenantSchema,
    credential: authenticationResponseSchema,
    appKey: z.string().min(1).max(128).optional(),
  })
  .strict();

/** Passwordless sign-in with a passkey, where the tenant's policy allows it (`passkeySignIn`). */
@ApiTags('auth')
@Controller('v1/auth/passkey')
export class PasskeySignInController {
  constructor(private readonly commands: CommandBus) {}

  /** Options for `startAuthentication()`: a single-use challenge good for 5 minutes, user verification required. */
  @Post('options')
  @HttpCode(200)
  @Public()
  @ApiJsonBody(optionsSchema)
  @ApiProblems(400, 403, 429)
  options(@Body(new ZodPipe(optionsSchema)) body: z.infer<typeof optionsSchema>, @ReqMeta() meta: RequestMeta) {
    return this.commands.execute(new BeginPasskeySignInCommand(body.tenant, meta));
  }

  @Post()
  @HttpCode(200)
  @Public()
  @ApiJsonBody(signInSchema)
  @ApiProblems(400, 401, 403, 409, 429)
  async signIn(@Body(new ZodPipe(signInSchema)) body: z.infer<typeof signInSchema>, @ReqMeta() meta: RequestMeta) {
    const { token, session } = await this.commands.execute(new SignInWithPasskeyCommand(body, meta));
    return { status: 'authenticated', token, session: sessionView(session, ['id', 'expiresAt', 'aal', 'amr']) };
  }
}
