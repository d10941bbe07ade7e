import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WebAssets } from './web-assets.js';

/** `views/` beside this file; `nest build` copies the templates to the same place under `dist/`. */
const VIEW_DIR = fileURLToPath(new URL('./views/', import.meta.url));

/** What every page gets besides its own data: who is signed in, the form token, the banner. */
export interface PageFrame {
  title: string;
  /** Signed in: the nav and the sign-out form show. */
  user?: { email: string; tenantName: string };
  /** The token every form of the page carries (FormTokens). */
  formToken: string;
  /** The grace-period banner: MFA is required from this date. */
  deadline?: string;
  /** The nav entry to mark as the current page. */
  section?: 'security' | 'sessions' | 'activity' | 'admin';
  /** The user may open the admin console (the nav shows it). */
  admin?: boolean;
  /** The page holds a socket on its session, to say at once when it is signed out elsewhere. */
  live?: boolean;
  /** The page runs a passkey ceremony: @simplewebauthn/browser loads before the pages' script. */
  passkeys?: boolean;
}

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/**
 * Server-rendered pages: `views/pages/<name>.hbs` inside `views/layout.hbs`, with the partials of
 * `views/partials/`. Every value is HTML-escaped; templates are strict, so a missing field is an error
 * in tests rather than an empty spot in production.
 */
@Injectable()
export class PageRenderer {
  private readonly engine = Handlebars.create();
  private readonly layout: Handlebars.TemplateDelegate;
  private readonly pages = new Map<string, Handlebars.TemplateDelegate>();

  constructor(assets: WebAssets) {
    const engine = this.engine;
    engine.registerHelper('asset', (file: string) => assets.url(file));
    engine.registerHelper('date', (iso: string | null | undefined) =>
      iso ? `${dateFormat.format(new Date(iso))} UTC` : '',
    );
    engine.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    engine.registerHelper('plural', (n: number, one: string, many: string) => (n === 1 ? one : many));
    for (const file of readdirSync(`${VIEW_DIR}partials`)) {
      if (file.endsWith('.hbs')) engine.registerPartial(file.slice(0, -4), this.read(`partials/${file}`));
    }
    this.layout = engine.compile(this.read('layout.hbs'), { strict: true });
  }

  /** Sends the page with this status (200 unless a form came back with errors). */
  send(res: Response, page: string, frame: PageFrame, data: Record<string, unknown> = {}, status = 200): void {
    // Strict templates fail on an absent field: the frame's optional ones are present, empty.
    const full = { user: null, deadline: null, section: null, admin: false, live: false, passkeys: false, ...frame };
    const body = this.page(page)({ ...full, ...data });
    res
      .status(status)
      .type('html')
      .send(this.layout({ ...full, body: new Handlebars.SafeString(body) }));
  }

  private page(name: string): Handlebars.TemplateDelegate {
    let template = this.pages.get(name);
    if (!template) {
      template = this.engine.compile(this.read(`pages/${name}.hbs`), { strict: true });
      this.pages.set(name, template);
    }
    return template;
  }

  private read(file: string): string {
    return readFileSync(`${VIEW_DIR}${file}`, 'utf8');
  }
}
