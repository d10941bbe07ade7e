import { Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { SendStepUpEmailCodeCommand, StepUpCommand } from '../../auth/index.js';
import { CurrentPrincipal, RequirePermission } from '../../common/access/access.decorators.js';
import { ReadsWithPrincipal } from '../../common/access/principal-read.js';
import { actorOf } from '../../common/access/principal.js';
import type { RequestMeta } from '../../common/actor.js';
import { AppConfig } from '../../common/app-config.js';
import { DomainError, notFound } from '../../common/errors/domain-error.js';
import { MFA_OF_USER } from '../../compliance/index.js';
import { ReqMeta } from '../../http/request-meta.js';
import { setSessionCookie } from '../../http/session-cookie.js';
import { ZodPipe } from '../../http/zod-body.pipe.js';
import {
  ApiKeyList,
  type ApiKeyView,
  CreateApiKeyCommand,
  createApiKeySchema,
  type PresenceProof,
  RevokeApiKeyCommand,
} from '../../identity/index.js';
import type { SessionPrincipal } from '../../sessions/index.js';
import { formFailure, PageController } from '../page-controller.js';
import { PageFrames } from '../page-frames.js';
import type { PageFrame } from '../page-renderer.js';
import { PageRenderer } from '../page-renderer.js';
import { type ReauthAnswer, reauthAnswerOf, reauthMethods, reauthView } from './api-keys-reauth.js';
import { NewApiKeyReveal } from './api-keys-reveal.js';
import { SCOPE_WORDS, scopeChoices } from './api-keys-scopes.js';

const keyId = new ZodPipe(z.uuid());

const DONE: Record<string, string> = {
  revoked: 'The key was revoked. Requests made with it are refused from now on.',
  gone: 'A new key is shown only once, and it has been shown. If it was not saved, revoke it and create another.',
};

/** What the create form shows again after a refusal: what was entered, the error, and the confirmation if asked. */
interface KeyForm {
  name: string;
  scopes: string[];
  error: string | null;
  reauth: ReturnType<typeof reauthView> | null;
}

/**
 * The tenant's API keys (`tenant:manage`, like `/v1/admin/api-keys`): the live keys, a new one (shown
 * once, after the session's re-auth window is checked as the API checks it), revoking one after a
 * confirmation. The same commands as the API.
 */
@PageController('admin/api-keys')
export class ApiKeysPages {
  constructor(
    private readonly commands: CommandBus,
    private readonly config: AppConfig,
    private readonly keys: ApiKeyList,
    private readonly reveal: NewApiKeyReveal,
    private readonly frames: PageFrames,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async list(@CurrentPrincipal() p: SessionPrincipal, @Query('done') done: unknown, @Res() res: Response) {
    const { frame } = await this.frames.forUser(p, 'API keys', 'admin');
    const keys = (await this.keys.live(p.tenantId)).map(listed);
    const notice = typeof done === 'string' ? (DONE[done] ?? null) : null;
    this.pages.send(res, 'admin-api-keys', frame, { adminSection: 'api-keys', keys, notice });
  }

  @Get('new')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async newKey(@CurrentPrincipal() p: SessionPrincipal, @Res() res: Response) {
    const { frame } = await this.frames.forUser(p, 'New API key', 'admin');
    this.showForm(res, frame, { name: '', scopes: [], error: null, reauth: null });
  }

  @Post('new')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async create(
    @CurrentPrincipal() p: SessionPrincipal,
    @Req() req: Request,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const entered = { name: String(body['name'] ?? '').slice(0, 100), scopes: listOf(body['scopes']) };
    const { frame, mfa } = await this.frames.forUser(p, 'New API key', 'admin');
    const methods = reauthMethods(mfa);
    const answer = reauthAnswerOf(body, methods);
    const again = (error: string | null, status: number, reauth = answer !== null, sent = false) =>
      this.showForm(
        res,
        frame,
        { ...entered, error, reauth: reauth ? reauthView(methods, answer?.method ?? null, sent) : null },
        status,
      );

    const input = createApiKeySchema.safeParse(entered);
    if (!input.success) return again('Give the key a name and choose at least one scope.', 400);
    if (answer?.sendEmail) {
      try {
        await this.commands.execute(new SendStepUpEmailCodeCommand(p, meta));
      } catch (error) {
        const failure = formFailure(error, ['too_many_attempts', 'not_found']);
        return again(failure.message, failure.status);
      }
      return again(null, 200, true, true);
    }
    let proof: PresenceProof = p.session;
    if (answer?.code) {
      const stepped = await this.stepUp(p, answer, meta, res);
      if ('message' in stepped) return again(stepped.message, stepped.status);
      proof = stepped.session;
    }
    let created;
    try {
      created = await this.commands.execute(new CreateApiKeyCommand(p.tenantId, input.data, actorOf(p), meta, proof));
    } catch (error) {
      if (error instanceof DomainError && error.code === 'reauth_required') {
        const why = methods.length
          ? 'For your security, confirm it is you with a code before creating a key.'
          : 'For your security, sign out and sign in again before creating a key.';
        return again(why, 401, true);
      }
      const failure = formFailure(error, ['validation_failed']);
      return again(failure.message, failure.status);
    }
    const { apiKey, key } = created;
    this.reveal.keep(res, p.session.id, { id: apiKey.id, name: apiKey.name, scopes: apiKey.scopes, key });
    res.redirect(303, '/admin/api-keys/created');
  }

  @Get('created')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async created(@CurrentPrincipal() p: SessionPrincipal, @Req() req: Request, @Res() res: Response) {
    const created = this.reveal.take(req, res, p.session.id);
    if (!created) return res.redirect(303, '/admin/api-keys?done=gone');
    const { frame } = await this.frames.forUser(p, 'Your new API key', 'admin');
    this.pages.send(res, 'admin-api-keys-created', frame, {
      adminSection: 'api-keys',
      created: { ...created, scopes: created.scopes.map(scopeWords) },
    });
  }

  @Get(':keyId/revoke')
  @RequirePermission('tenant:manage')
  @ReadsWithPrincipal(MFA_OF_USER)
  async confirmRevoke(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('keyId', keyId) id: string,
    @Res() res: Response,
  ) {
    const key = (await this.keys.live(p.tenantId)).find((k) => k.id === id);
    if (!key) throw notFound('API key');
    const { frame } = await this.frames.forUser(p, 'Revoke this API key?', 'admin');
    this.pages.send(res, 'admin-api-keys-revoke', frame, { adminSection: 'api-keys', key: listed(key) });
  }

  @Post(':keyId/revoke')
  @RequirePermission('tenant:manage')
  async revoke(
    @CurrentPrincipal() p: SessionPrincipal,
    @Param('keyId', keyId) id: string,
    @ReqMeta() meta: RequestMeta,
    @Res() res: Response,
  ) {
    await this.commands.execute(new RevokeApiKeyCommand(p.tenantId, id, actorOf(p), meta));
    res.redirect(303, '/admin/api-keys?done=revoked');
  }

  /**
   * Steps the session up with the code given (what `POST /v1/auth/step-up` does): the session gets a new
   * token, so the page cookie is replaced; a refused code comes back as the form's error.
   */
  private async stepUp(p: SessionPrincipal, answer: ReauthAnswer, meta: RequestMeta, res: Response) {
    try {
      const { session, token } = await this.commands.execute(
        new StepUpCommand(p, { method: answer.method, code: answer.code! }, meta),
      );
      setSessionCookie(res, token, session.expiresAt, this.config.publicUrl);
      return { session };
    } catch (error) {
      return formFailure(error, ['mfa_code_invalid', 'code_already_used', 'too_many_attempts']);
    }
  }

  private showForm(res: Response, frame: PageFrame, form: KeyForm, status = 200) {
    this.pages.send(
      res,
      'admin-api-keys-new',
      frame,
      {
        adminSection: 'api-keys',
        name: form.name,
        scopes: scopeChoices(form.scopes),
        error: form.error,
        reauth: form.reauth,
      },
      status,
    );
  }
}

function listed(k: ApiKeyView) {
  return { ...k, scopes: k.scopes.map(scopeWords) };
}

const scopeWords = (id: string) => ({ id, words: SCOPE_WORDS[id as keyof typeof SCOPE_WORDS] ?? id });

/** A form field sent once (a string) or several times (an array), as a list of at most a few strings. */
function listOf(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string').slice(0, 20);
}
