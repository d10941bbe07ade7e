import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type MailTemplateName =
  'email-code' | 'mfa-locked' | 'mfa-grace-reminder' | 'mfa-grace-expired' | 'mfa-reset-link' | 'security-notice';

/** `workers/templates/` beside the sources; `nest build` copies them to the same place under `dist/`. */
const TEMPLATE_DIR = fileURLToPath(new URL('../../../workers/templates/', import.meta.url));

/**
 * Handlebars templates, HTML and plain text, the HTML wrapped in one layout. `productName` (the
 * tenant's name) is what the mail calls the product; HTML output escapes every value.
 */
@Injectable()
export class MailTemplates {
  private readonly html = Handlebars.create();
  private readonly text = Handlebars.create();
  private readonly layout = this.html.compile(this.read('layout.html.hbs'), { strict: true });
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();

  render(name: MailTemplateName, data: { productName: string } & Record<string, unknown>) {
    const body = this.template(this.html, `${name}.html.hbs`, {})(data);
    return {
      html: this.layout({ ...data, body: new Handlebars.SafeString(body) }),
      // Plain text is not HTML: nothing to escape, and escaping would garble names like "A & B".
      text: this.template(this.text, `${name}.text.hbs`, { noEscape: true })(data),
    };
  }

  private template(engine: typeof Handlebars, file: string, options: CompileOptions) {
    let template = this.compiled.get(file);
    if (!template) {
      template = engine.compile(this.read(file), { strict: true, ...options });
      this.compiled.set(file, template);
    }
    return template;
  }

  private read(file: string): string {
    return readFileSync(`${TEMPLATE_DIR}${file}`, 'utf8');
  }
}
