import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATES_DIR } from '../../shared/paths';

export const EMAIL_TEMPLATES_DIR = join(TEMPLATES_DIR, 'emails');
const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export interface RenderedEmail {
  html: string;
  text: string;
}

export class UnknownTemplateError extends Error {}

/**
 * Renders templates/emails/<name>.html.hbs and <name>.text.hbs, each inside its shared layout
 * (_layout.html.hbs, _layout.text.hbs: the sender's name and logo, the footer), with one
 * handlebars instance of its own (no helpers leak in from the page views or the mailer package).
 * `{{x}}` escapes HTML in the HTML part; the text part is compiled with noEscape, since plain text
 * has no markup to protect (and "&amp;" in a text mail would be wrong).
 */
@Injectable()
export class EmailRenderer {
  private readonly hbs = Handlebars.create();
  private readonly cache = new Map<string, Handlebars.TemplateDelegate>();
  private readonly existing = new Map<string, boolean>();
  private readonly cacheEnabled = process.env.NODE_ENV !== 'development';

  constructor() {
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    this.hbs.registerHelper('not', (a: unknown) => !a);
    // Instants arrive as ISO strings (the context went through JSON): shown as "2026-11-28 19:00 UTC".
    this.hbs.registerHelper('instant', (v: unknown) => {
      const d = v instanceof Date ? v : typeof v === 'string' ? new Date(v) : null;
      return d && !Number.isNaN(d.getTime()) ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : String(v ?? '');
    });
  }

  exists(template: string): boolean {
    if (!NAME.test(template)) return false;
    // Asked on every enqueue: remembered (like the compiled templates) instead of two file-system calls each time.
    const known = this.cacheEnabled ? this.existing.get(template) : undefined;
    if (known !== undefined) return known;
    const found =
      existsSync(join(EMAIL_TEMPLATES_DIR, `${template}.text.hbs`)) && existsSync(join(EMAIL_TEMPLATES_DIR, `${template}.html.hbs`));
    if (this.cacheEnabled) this.existing.set(template, found);
    return found;
  }

  render(template: string, context: Record<string, unknown>, subject = ''): RenderedEmail {
    if (!NAME.test(template)) throw new UnknownTemplateError(`unknown email template "${template}"`);
    const body = this.compile(`${template}.html.hbs`, false)(context);
    const html = this.compile('_layout.html.hbs', false)({ subject, ...brandOf(context), body: new Handlebars.SafeString(body) });
    return { html, text: this.renderText(template, context) };
  }

  renderText(template: string, context: Record<string, unknown>): string {
    if (!NAME.test(template)) throw new UnknownTemplateError(`unknown email template "${template}"`);
    const body = tidyText(this.compile(`${template}.text.hbs`, true)(context));
    return tidyText(this.compile('_layout.text.hbs', true)({ ...brandOf(context), body }));
  }

  private compile(file: string, text: boolean): Handlebars.TemplateDelegate {
    let t = this.cacheEnabled ? this.cache.get(file) : undefined;
    if (!t) {
      const path = join(EMAIL_TEMPLATES_DIR, file);
      if (!existsSync(path)) throw new UnknownTemplateError(`unknown email template "${file}"`);
      // strict, like the page views: a variable missing from the context is an error, not an empty hole in a mail.
      t = this.hbs.compile(readFileSync(path, 'utf8'), { noEscape: text, strict: true });
      this.cache.set(file, t);
    }
    return t;
  }
}

/**
 * What the shared layouts brand a mail with: who sends it (`issuerName`, the customer's parent: the
 * provider the customer knows) and its logo (`issuerLogoUrl`, an https URL, when it has one). Mails queued
 * before a template had them, or whose template has none, get the neutral layout.
 */
function brandOf(context: Record<string, unknown>): { issuerName: string | null; issuerLogoUrl: string | null } {
  const name = typeof context.issuerName === 'string' && context.issuerName.trim() ? context.issuerName : null;
  const logo =
    typeof context.issuerLogoUrl === 'string' && /^https:\/\/[^\s"'<>]+$/.test(context.issuerLogoUrl) ? context.issuerLogoUrl : null;
  return { issuerName: name, issuerLogoUrl: logo };
}

/** Template comments and blocks leave blank lines behind: trim and keep at most one empty line. */
function tidyText(text: string): string {
  return (
    text
      .replace(/\r\n/g, '\n')
      .replace(/[ \t]+$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  );
}
