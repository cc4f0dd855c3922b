import Handlebars from 'handlebars';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { TEMPLATES_DIR } from '../../shared/paths';

/**
 * Server-rendered pages with handlebars. One handlebars instance for views and layouts, with partials
 * from templates/partials. `{{x}}` escapes HTML; views never use triple braces on user data. Partials get
 * an explicit context only: pass what they need (`{{> pager pager}}`, `{{> form/errors errors=errors}}`).
 */
export const views = Handlebars.create();

const cache = new Map<string, Handlebars.TemplateDelegate>();
const cacheEnabled = process.env.NODE_ENV !== 'development';

function compile(file: string): Handlebars.TemplateDelegate {
  let t = cacheEnabled ? cache.get(file) : undefined;
  if (!t) {
    // explicitPartialContext: a partial sees only what it is given (`{{> form/text name=... value=...}}`), so
    // a page's own `type` or `value` can never leak into a form field; use @root for page-wide values.
    t = views.compile(readFileSync(file, 'utf8'), { strict: false, explicitPartialContext: true });
    cache.set(file, t);
  }
  return t;
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
      views.registerPartial(relative(join(TEMPLATES_DIR, 'partials'), full).replace(/\.hbs$/, ''), readFileSync(full, 'utf8'));
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

/** Express view engine: renders the view, then its layout (option `layout`, default layouts/main). */
export function handlebarsEngine(
  filePath: string,
  options: Record<string, unknown>,
  callback: (err: Error | null, html?: string) => void,
): void {
  try {
    if (!initialised) {
      registerViewHelpers();
      registerPartials(join(TEMPLATES_DIR, 'partials'));
      initialised = cacheEnabled;
    }
    const body = compile(filePath)(options);
    const layout = options.layout === false ? null : String(options.layout ?? 'layouts/main');
    if (!layout) return callback(null, body);
    const html = compile(join(TEMPLATES_DIR, `${layout}.hbs`))({ ...options, body });
    callback(null, html);
  } catch (err) {
    callback(err as Error);
  }
}
