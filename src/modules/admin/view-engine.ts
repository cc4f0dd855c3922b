import { Logger } from '@nestjs/common';
import Handlebars from 'handlebars';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { TEMPLATES_DIR } from '../../shared/paths';

/**
 * Server-rendered pages with handlebars. One handlebars instance for views and layouts, with partials
 * from templates/partials. `{{x}}` escapes HTML; views never use triple braces on user data. Partials get
 * an explicit context only: pass what they need (`{{> pager pager}}`, `{{> form/errors errors=errors}}`).
 *
 * Strict mode (every view, layout and partial): a missing variable is a bug. `{{x}}`, `{{a.b}}` and
 * `{{#x}}` throw when the key (`x`, `b`) is missing; a key that holds null or undefined is fine, so view
 * models pass null for "none". A path through a missing or null object throws anywhere, in helper and
 * partial arguments too (`{{#if a.b}}` without `a`). What handlebars leaves alone: an argument that names
 * a missing key of an object that exists (`{{#if x}}`, `error=errors.name`), so optional partial
 * parameters stay optional. `strict` includes handlebars' `assumeObjects` (no existence checks on paths).
 * A failed render answers 500 (the exception filter) and is logged at error level with the template.
 */
export const views = Handlebars.create();

// explicitPartialContext: a partial sees only what it is given (`{{> form/text name=... value=...}}`), so
// a page's own `type` or `value` can never leak into a form field; use @root for page-wide values.
const COMPILE_OPTIONS: CompileOptions = { strict: true, explicitPartialContext: true };

const logger = new Logger('Views');
const cache = new Map<string, Handlebars.TemplateDelegate>();
const cacheEnabled = process.env.NODE_ENV !== 'development';

/** A render that failed: `template` is the file with the failing line, `via` the templates that included it. */
export class TemplateRenderError extends Error {
  readonly via: string[] = [];
  /** What went wrong there (handlebars' message, with the line and column in `template`). */
  readonly detail: string;

  constructor(
    readonly template: string,
    failure: unknown,
  ) {
    const detail = failure instanceof Error ? failure.message : String(failure);
    super(`template ${template}: ${detail}`);
    this.name = 'TemplateRenderError';
    this.detail = detail;
    // Where it failed (handlebars' strict lookup, a helper) below where it was named.
    if (failure instanceof Error && failure.stack) this.stack = `${this.stack}\ncaused by: ${failure.stack}`;
  }

  /** Adds a template that included the failing one (the view around a partial). */
  includedBy(template: string): this {
    this.via.push(template);
    this.message = `template ${this.template} (in ${this.via.join(' in ')}): ${this.detail}`;
    return this;
  }
}

/** Names the template in an error thrown while rendering it (the innermost template keeps the blame). */
function blame(template: string, err: unknown): TemplateRenderError {
  return err instanceof TemplateRenderError ? err.includedBy(template) : new TemplateRenderError(template, err);
}

const templateName = (file: string): string => relative(TEMPLATES_DIR, file);

function compile(file: string): Handlebars.TemplateDelegate {
  let t = cacheEnabled ? cache.get(file) : undefined;
  if (!t) {
    t = views.compile(readFileSync(file, 'utf8'), COMPILE_OPTIONS);
    cache.set(file, t);
  }
  return t;
}

/** Renders one template file, naming it in any error. */
function run(file: string, model: Record<string, unknown>): string {
  try {
    return compile(file)(model);
  } catch (err) {
    throw blame(templateName(file), err);
  }
}

function registerPartials(dir: string): void {
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) registerPartials(full);
    else if (entry.endsWith('.hbs')) {
      // Compiled here with the views' options (strict) and wrapped, so an error names the partial's file.
      const partial = views.compile(readFileSync(full, 'utf8'), COMPILE_OPTIONS);
      const name = templateName(full);
      views.registerPartial(relative(join(TEMPLATES_DIR, 'partials'), full).replace(/\.hbs$/, ''), ((
        context: unknown,
        options?: Handlebars.RuntimeOptions,
      ) => {
        try {
          return partial(context, options);
        } catch (err) {
          throw blame(name, err);
        }
      }) as Handlebars.Template);
    }
  }
}

export function registerViewHelpers(): void {
  views.registerHelper('eq', (a: unknown, b: unknown) => a === b || String(a) === String(b));
  views.registerHelper('ne', (a: unknown, b: unknown) => String(a) !== String(b));
  views.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  views.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  views.registerHelper('not', (a: unknown) => !a);
  views.registerHelper('json', (a: unknown) => JSON.stringify(a));
  views.registerHelper('includes', (list: unknown, item: unknown) => Array.isArray(list) && list.map(String).includes(String(item)));
  views.registerHelper('isoDate', (d: unknown) => (d instanceof Date ? d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : ''));
  views.registerHelper('add', (a: number, b: number) => Number(a) + Number(b));
  views.registerHelper('sub', (a: number, b: number) => Number(a) - Number(b));
  // Form helpers (templates/partials/form/*): `billingAddress[city]` → id "f-billingAddress-city".
  views.registerHelper(
    'fieldId',
    (name: unknown) =>
      `f-${String(name)
        .replace(/\]/g, '')
        .replace(/[^A-Za-z0-9_-]+/g, '-')}`,
  );
  views.registerHelper('hasKeys', (o: unknown) => !!o && typeof o === 'object' && Object.keys(o).length > 0);
  views.registerHelper('isEmpty', (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0));
  views.registerHelper('default', (v: unknown, fallback: unknown) => (v === undefined || v === null || v === '' ? fallback : v));
  views.registerHelper('concat', (...args: unknown[]) =>
    args
      .slice(0, -1)
      .map((a) => (a === undefined || a === null ? '' : String(a)))
      .join(''),
  );
  views.registerHelper('yesNo', (v: unknown) => (v === true || v === 'true' ? 'Yes' : v === false || v === 'false' ? 'No' : ''));
}

let initialised = false;

/**
 * Express view engine: renders the view, then its layout (option `layout`, default layouts/main). A
 * failure (strict mode: a variable the model lacks) is logged here at error level with the template, and
 * passed on: `res.render` hands it to the exception filter, which answers 500.
 */
export function handlebarsEngine(
  filePath: string,
  options: Record<string, unknown>,
  callback: (err: Error | null, html?: string) => void,
): void {
  let html: string;
  try {
    if (!initialised) {
      registerViewHelpers();
      registerPartials(join(TEMPLATES_DIR, 'partials'));
      initialised = cacheEnabled;
    }
    const body = run(filePath, options);
    const layout = options.layout === false ? null : String(options.layout ?? 'layouts/main');
    html = layout ? run(join(TEMPLATES_DIR, `${layout}.hbs`), { ...options, body }) : body;
  } catch (err) {
    const failure = err instanceof TemplateRenderError ? err : blame(templateName(filePath), err);
    logger.error({ err: failure, template: failure.template, via: failure.via }, `render failed: ${failure.message}`);
    return callback(failure);
  }
  callback(null, html);
}
