/**
 * How to write an admin page (copy this; src/modules/admin/customers.admin.controller.ts is the full example):
 *
 *   @ApiExcludeController()                       // pages are not part of the OpenAPI document
 *   @Controller()
 *   export class WidgetsAdminController {
 *     constructor(private readonly pages: AdminPages, private readonly widgets: WidgetsService) {}
 *
 *     @Get('widgets/new')
 *     async newForm(@Req() req: Request, @Res() res: Response) {
 *       await this.pages.render(req, res, 'widgets/form', { title: 'New widget', values: {}, errors: {} });
 *     }
 *
 *     @Post('widgets')                             // the CSRF token is checked before this runs
 *     async create(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response) {
 *       const rerender: Rerender = (errors, status) =>
 *         this.pages.render(req, res, 'widgets/form', { title: 'New widget', values: body, errors }, status);
 *       // submitForm (page-flows.ts): invalid input → rerender(errors, 400); a DomainError from the callback →
 *       // rerender({ field: message, _form: message }, its status); other errors are rethrown.
 *       await submitForm(CreateWidgetDto, readForm(body, WIDGET_FORM), rerender, async (dto) => {
 *         const w = await this.widgets.create(scope, dto);
 *         this.pages.redirect(res, `/widgets/${w.id}`, `Widget ${w.name} created.`);   // POST-redirect-GET
 *       });
 *     }
 *   }
 *
 * - Every error in one round (issue #14): when the use case has checks of its own (a name taken, a plan not
 *   available), give it the format problems and pass `{ checkAll: true }`: `save(dto, problems)` is then called
 *   even with format errors, with the well-formed fields only, and the use case adds its checks to a
 *   `FieldProblems(problems)` (src/shared/field-problems.ts) and calls `throwIfAny()` before it writes. Its API
 *   endpoint does the same with `validatePartial` (src/shared/http/partial-validation.ts).
 * - A page that shows a secret once (a key, a SIP secret, a PIN): the POST makes it and calls
 *   `oneTime.redirect(req, res, url, model)` (OneTimePages); the GET at `url` shows it with `oneTime.page(...)`.
 *   Never render a secret as the answer of a POST, never put it in a URL.
 * - `@Body() body: FormBody` (a plain object type) so the global DTO pipe leaves the raw form alone.
 * - Re-render the form with the raw `body` as `values` so everything typed is kept; `errors` is
 *   `{ 'billingAddress.city': 'must be ...' }` keyed like the API's `details[].field`.
 * - Templates: `{{> form/text name="name" label="Name" value=values.name error=errors.name help="..."}}`
 *   (see templates/partials/form/: text, textarea, select, checkbox, checkboxes, errors); every form
 *   includes `{{> csrf}}` and `{{> form/errors errors=errors}}`. Partials see only what they are passed
 *   (explicitPartialContext). Never use triple braces on data.
 * - Forms that change something are POST (never GET); a delete gets a confirmation page first, and a
 *   refused delete goes back with `refusal(err, 'X was not deleted')` (page-flows.ts) as a flash message.
 * - Multipart forms (file uploads) carry the token as their FIRST field (`{{> csrf}}` right after `<form>`),
 *   never in the URL; their path goes in MULTIPART_FORMS (csrf.ts) and the upload reader checks the token
 *   before it accepts the file (see spoolMultipartDeck in the rate-plans module).
 * - Lists: `pageLinks(page, pageSize, total, req)` feeds `{{> pager pager}}`; `sortHeaders(...)` the column
 *   headers (`{{> sort-th h=sort.name}}`) and `csvExportUrl(...)` the "Export CSV" link (the API's export).
 * - Pages need a login (the global AuthGuard redirects to /login); POST needs an administrator unless
 *   the handler has @AllowUsers(). Errors thrown (NotFoundError...) render templates/views/errors/error.hbs.
 */
import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Request, Response } from 'express';
import { DomainError } from '../../shared/errors';
import type { ScopedRequest } from '../../shared/http/decorators';
import { textErrors } from '../../shared/http/input-checks';
import { fieldErrors } from '../../shared/http/validation.pipe';
import { sortOrder } from '../../shared/http/list-query';
import { DataSource } from 'typeorm';
import { CustomerDirectory } from '../../shared/customer-directory';
import { isSystemOwnerAdmin } from '../../shared/system-owner';
import { CSRF_FIELD, CsrfService } from './csrf';

/** A urlencoded form body as body-parser (extended) gives it: strings, arrays and nested objects. */
export type FormBody = Record<string, unknown>;
/** Inline errors: field path (as in the API's error details) → message; `_form` for the whole form. */
export type FormErrors = Record<string, string>;

export interface NavItem {
  label: string;
  href: string;
  active?: boolean;
  /** Shown at the right, beside the person's name, instead of in the main menu. */
  secondary?: boolean;
  /** Only for administrators of the system owner acting as the system owner. */
  systemOwnerOnly?: boolean;
  /** Only for a customer that may have customers of its own (a reseller or the system owner). */
  resellerOnly?: boolean;
}

/** The main navigation; other modules' pages live at these paths. */
export const NAV: readonly NavItem[] = [
  { label: 'Dashboard', href: '/' },
  { label: 'Customers', href: '/customers', resellerOnly: true },
  { label: 'Requests', href: '/requests', resellerOnly: true },
  { label: 'Active calls', href: '/active-calls' },
  { label: 'Call history', href: '/call-history' },
  { label: 'Invoices', href: '/invoices' },
  { label: 'Invoice runs', href: '/invoice-runs', systemOwnerOnly: true },
  { label: 'Rate plans', href: '/rate-plans' },
  { label: 'Numbers', href: '/numbers' },
  { label: 'Vouchers', href: '/vouchers' },
  { label: 'Sent mail', href: '/outbox' },
  { label: 'Audit log', href: '/audit' },
  { label: 'System', href: '/system', systemOwnerOnly: true },
  { label: 'Account', href: '/account' },
  { label: 'API docs', href: '/api/docs' },
];

/** The customer the menu is for: a customer that is not a reseller has no customers and no inventory. */
export interface NavCustomer {
  id: number;
  canHaveCustomers: boolean;
}

export function navItems(path: string, systemOwnerAdmin = true, acting: NavCustomer | null = null): NavItem[] {
  const reseller = acting?.canHaveCustomers ?? true;
  return NAV.filter((item) => (systemOwnerAdmin || !item.systemOwnerOnly) && (reseller || !item.resellerOnly)).map((item) => {
    // A customer's "Numbers" are the numbers assigned to it; a reseller's, its inventory.
    const href = item.href === '/numbers' && !reseller && acting ? `/customers/${acting.id}/numbers` : item.href;
    return { ...item, href, active: href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`) };
  });
}

interface PageHeader {
  personName: string | null;
  personCustomerName: string | null;
  actingCustomerName: string | null;
  acting: NavCustomer | null;
}

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}
const FLASH_COOKIE = 'flash';

/**
 * Renders pages inside the layout with what every page needs: who is logged in, which customer they act
 * for (the "switched to" banner), the navigation, the CSRF token and the one-time flash message.
 */
@Injectable()
export class AdminPages {
  constructor(
    private readonly customers: CustomerDirectory,
    private readonly dataSource: DataSource,
    private readonly csrf: CsrfService,
  ) {}

  /** Who is logged in (named by the auth guard) and the names of their customer and of the one they act for. */
  private async header(req: ScopedRequest): Promise<PageHeader | null> {
    const scope = req.scope;
    if (!scope) return null;
    const refs = await this.customers.findMany(this.dataSource.manager, [scope.personCustomerId, scope.customerId]);
    const acting = refs.get(scope.customerId);
    return {
      personName: req.personName ?? null,
      personCustomerName: refs.get(scope.personCustomerId)?.name ?? null,
      actingCustomerName: acting?.name ?? null,
      acting: acting ? { id: acting.id, canHaveCustomers: acting.reseller || acting.parentId === null } : null,
    };
  }

  async viewModel(req: Request, res: Response): Promise<Record<string, unknown>> {
    const scope = (req as ScopedRequest).scope;
    const header = await this.header(req as ScopedRequest);
    return {
      csrfToken: await this.csrf.token(req, res),
      csrfField: CSRF_FIELD,
      flash: takeFlash(req, res),
      nav: scope ? navItems(req.path, isSystemOwnerAdmin(scope), header?.acting ?? null) : null,
      user: header ? { name: header.personName, customerName: header.personCustomerName, role: scope?.role } : null,
      actingCustomerName: header?.actingCustomerName ?? null,
      switchedTo: scope?.switched ? header?.actingCustomerName : null,
      currentUrl: req.originalUrl,
    };
  }

  /** Renders `templates/views/<view>.hbs` in the main layout; `model` overrides the common values. */
  async render(req: Request, res: Response, view: string, model: Record<string, unknown> = {}, status = 200): Promise<void> {
    const base = await this.viewModel(req, res);
    res.status(status).render(view, { ...base, ...model });
  }

  /** POST-redirect-GET: 303 to `url`, with a message shown once on the next page. */
  redirect(res: Response, url: string, flash?: string | Flash): void {
    if (flash) setFlash(res, typeof flash === 'string' ? { kind: 'ok', text: flash } : flash);
    res.redirect(303, url);
  }
}

export function setFlash(res: Response, flash: Flash): void {
  res.cookie(FLASH_COOKIE, JSON.stringify(flash), { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 60_000 });
}

function takeFlash(req: Request, res: Response): Flash | null {
  const raw = (req.cookies as Record<string, unknown> | undefined)?.[FLASH_COOKIE];
  if (typeof raw !== 'string') return null;
  res.clearCookie(FLASH_COOKIE, { path: '/' });
  try {
    const f = JSON.parse(raw) as Partial<Flash>;
    // Shown escaped; a hand-made cookie can only show its owner some text.
    if (typeof f.text === 'string' && f.text.length <= 500) return { kind: f.kind === 'error' ? 'error' : 'ok', text: f.text };
  } catch {
    /* ignore a malformed cookie */
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Forms: from a urlencoded body to DTO-shaped values, and validation errors keyed by field path.

/**
 * How to read one form field:
 * - text / text?: trimmed string; empty → undefined (text) or null (text?, "clear it")
 * - int / int?: whole number; empty → undefined / null; anything else is passed on as typed, so the
 *   DTO's validator reports it
 * - decimal / decimal?: money and percentages stay decimal strings (never JS numbers); empty → undefined / null
 * - enum / enum?: a select's value; empty → undefined / null ("use the rate plan's value")
 * - bool: a checkbox (absent = false); bool?: a select of "", "true", "false" → null / true / false
 * - int[] / text[]: checkboxes or a multi-select with the same name (absent = [])
 * - a nested schema for `billingAddress[city]`-style fields
 */
export type FieldKind =
  'text' | 'text?' | 'int' | 'int?' | 'decimal' | 'decimal?' | 'enum' | 'enum?' | 'bool' | 'bool?' | 'int[]' | 'text[]';
export interface FormSchema {
  [field: string]: FieldKind | FormSchema;
}

/** Converts a form body to DTO-shaped values; fields not in the schema are dropped (incl. `_csrf`). */
export function readForm(body: FormBody | undefined, schema: FormSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const src = body && typeof body === 'object' ? body : {};
  for (const [name, kind] of Object.entries(schema)) {
    const raw = src[name];
    if (typeof kind === 'object') {
      out[name] = readForm(raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as FormBody) : {}, kind);
      continue;
    }
    const value = readField(raw, kind);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * What a form shows: every field of the schema, with what was typed or stored, '' when absent ([] for
 * lists, nested schemas as objects). Templates are strict (a missing variable is an error), and a raw
 * body lacks whatever the browser did not send (an unchecked box, a group left out), so forms are
 * (re)rendered with these. Values outside the schema are kept.
 */
export function formValues(schema: FormSchema, values: Record<string, unknown> | undefined): Record<string, unknown> {
  const src = values && typeof values === 'object' ? values : {};
  const out: Record<string, unknown> = { ...src };
  for (const [name, kind] of Object.entries(schema)) {
    const v = src[name];
    if (typeof kind === 'object') {
      out[name] = formValues(kind, v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
    } else if (kind.endsWith('[]')) out[name] = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
    else out[name] = v ?? '';
  }
  return out;
}

/** Every field path of a schema, nested ones as `fees.signup` (keyed like the errors). */
export function fieldPaths(schema: FormSchema): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(schema)) {
    if (typeof v === 'object') for (const sub of Object.keys(v)) out.push(`${k}.${sub}`);
    else out.push(k);
  }
  return out;
}

function lastString(raw: unknown): string | undefined {
  // A repeated single-value field arrives as an array: take the last (what the person saw last).
  const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return typeof v === 'string' ? v.trim() : undefined;
}

export function readField(raw: unknown, kind: FieldKind): unknown {
  const nullable = kind.endsWith('?');
  const empty = nullable ? null : undefined;
  switch (kind) {
    case 'bool':
      return raw !== undefined && ['on', 'true', '1', 'yes'].includes(lastString(raw) ?? '');
    case 'bool?': {
      const s = lastString(raw);
      return s === 'true' ? true : s === 'false' ? false : null;
    }
    case 'int[]':
    case 'text[]': {
      const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
        (v): v is string => typeof v === 'string' && v.trim() !== '',
      );
      return kind === 'int[]' ? list.map((v) => (/^\d{1,15}$/.test(v.trim()) ? Number(v.trim()) : v)) : list.map((v) => v.trim());
    }
    case 'int':
    case 'int?': {
      const s = lastString(raw);
      if (s === undefined || s === '') return empty;
      return /^-?\d{1,15}$/.test(s) ? Number(s) : s;
    }
    case 'text':
    case 'text?':
    case 'decimal':
    case 'decimal?':
    case 'enum':
    case 'enum?': {
      const s = lastString(raw);
      return s === undefined || s === '' ? empty : s;
    }
  }
}

/**
 * "2026-12-01", "2026-12-01 08:30" and "2026-12-01T08:30" are read as UTC (the forms say so); text with
 * an offset is passed on as typed, and anything else is left for the validator to refuse.
 */
export function instantFromForm(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return `${t}T00:00:00Z`;
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$/.test(t)) return `${t.replace(' ', 'T')}Z`;
  return t;
}

/** Options of a "the inherited setting / yes / no" select (the empty choice is the template's). */
export const YES_NO = [
  { value: 'true', label: 'Yes' },
  { value: 'false', label: 'No' },
];

/** Runs class-validator on a DTO class: `{ dto }` when valid, else `{ errors }` keyed by field path. */
export async function validateForm<T extends object>(
  cls: new () => T,
  values: Record<string, unknown>,
): Promise<{ dto: T; errors: null } | { dto: null; errors: FormErrors }> {
  // The API's text rules (well-formed Unicode, no control characters in one-line fields) come first: a
  // string that breaks them is not shown to the DTO's rules at all.
  const textProblems = textErrors(values);
  if (textProblems.length > 0) {
    const errors: FormErrors = {};
    for (const { field, message } of textProblems) if (!(field in errors)) errors[field] = sentence(message);
    return { dto: null, errors };
  }
  const dto = plainToInstance(cls, values);
  const problems = await validate(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
  if (problems.length === 0) return { dto, errors: null };
  const errors: FormErrors = {};
  for (const { field, message } of fieldErrors(problems)) {
    // The first message per field is enough next to the input.
    if (!(field in errors)) errors[field] = isMissing(values, field) ? 'This field is required.' : sentence(message);
  }
  return { dto: null, errors };
}

function isMissing(values: Record<string, unknown>, field: string): boolean {
  let v: unknown = values;
  for (const part of field.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v === undefined;
}

function sentence(message: string): string {
  const s = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/**
 * Inline errors from a service's DomainError: its `details` by field, and its message under `_form`
 * (shown above the form) when no detail names a field. Anything that is not a DomainError is rethrown.
 */
export function formErrors(err: unknown): FormErrors {
  if (!(err instanceof DomainError)) throw err;
  const errors: FormErrors = {};
  for (const d of err.details) if (!(d.field in errors)) errors[d.field] = sentence(d.message);
  if (err.details.length === 0) errors._form = sentence(err.message);
  return errors;
}

/** HTTP status for re-rendering a form after an error (400 for plain validation). */
export function statusOf(err: unknown): number {
  return err instanceof DomainError ? err.status : 400;
}

/** Puts field errors that the form has no place for into `_form`, so nothing is silently lost. */
export function withUnplacedErrors(errors: FormErrors, placed: readonly string[]): FormErrors {
  const out: FormErrors = {};
  const extra: string[] = [];
  for (const [field, message] of Object.entries(errors)) {
    if (field === '_form' || placed.includes(field)) out[field] = message;
    else extra.push(`${field}: ${message}`);
  }
  if (extra.length) out._form = [out._form, ...extra].filter(Boolean).join(' ');
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Lists

export interface PagerModel {
  page: number;
  pages: { n: number; url: string; current: boolean; gap: boolean }[];
  gapsAfter: number[];
  prevUrl: string | null;
  nextUrl: string | null;
  from: number;
  to: number;
  total: number;
  lastPage: number;
  /** The list's last page (the way back from a page past the end). */
  lastUrl: string;
  /**
   * The page asked for is past the end of a list that is not empty (an old link, a typed URL, rows
   * deleted meanwhile): the pager says so and links to the last page, and the list template must not
   * say "No X yet": `{{#if rows.length}}…{{else if pager.beyondEnd}}{{else}}No X yet{{/if}}`.
   */
  beyondEnd: boolean;
}

/**
 * Page links for a list: first, last and two around the current page, keeping the other query
 * parameters (search, filters, sort) of the current URL.
 */
export function pageLinks(
  page: number,
  pageSize: number,
  total: number,
  req: { path: string; query: Record<string, unknown> },
): PagerModel {
  const lastPage = Math.max(1, Math.ceil(total / pageSize));
  const url = (n: number): string => pageUrl(req, n);
  const beyondEnd = total > 0 && page > lastPage;
  const numbers = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, lastPage])]
    .filter((n) => n >= 1 && n <= lastPage)
    .sort((a, b) => a - b);
  const gapsAfter = numbers.filter((n, i) => i < numbers.length - 1 && numbers[i + 1] !== n + 1);
  return {
    page,
    pages: numbers.map((n) => ({ n, url: url(n), current: n === page, gap: gapsAfter.includes(n) })),
    gapsAfter,
    prevUrl: page > 1 ? url(Math.min(page - 1, lastPage)) : null,
    nextUrl: page < lastPage ? url(page + 1) : null,
    from: total === 0 || beyondEnd ? 0 : (page - 1) * pageSize + 1,
    to: beyondEnd ? 0 : Math.min(page * pageSize, total),
    total,
    lastPage,
    lastUrl: url(lastPage),
    beyondEnd,
  };
}

/** The current URL with `page=n` (none for page 1) and every other query parameter kept. */
export function pageUrl(req: { path: string; query: Record<string, unknown> }, n: number, changes: Record<string, string | null> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query)) {
    if (k === 'page' || k in changes) continue;
    for (const one of Array.isArray(v) ? v : [v]) if (typeof one === 'string' && one !== '') params.append(k, one);
  }
  for (const [k, v] of Object.entries(changes)) if (v !== null && v !== '') params.set(k, v);
  if (n > 1) params.set('page', String(n));
  const qs = params.toString();
  return qs ? `${req.path}?${qs}` : req.path;
}

/** A sortable column header of a list page (templates/partials/sort-th.hbs). */
export interface SortHeader {
  label: string;
  /** The list sorted by this column (the other direction when it is the current one), from page 1. */
  url: string;
  /** For aria-sort. */
  sort: 'ascending' | 'descending' | 'none';
}

/**
 * The headers of a list page sortable by `columns` (column → label), for `{{> sort-th h=sort.name}}`:
 * each links to the list sorted by it, keeping search and filters; the current column's link reverses it.
 */
export function sortHeaders<C extends string>(
  req: { path: string; query: Record<string, unknown> },
  columns: Record<C, string>,
  current: { column: C; descending: boolean },
): Record<C, SortHeader> {
  const out = {} as Record<C, SortHeader>;
  for (const column of Object.keys(columns) as C[]) {
    const isCurrent = column === current.column;
    const next = isCurrent && !current.descending ? `-${column}` : column;
    out[column] = {
      label: columns[column],
      url: pageUrl(req, 1, { sort: next }),
      sort: isCurrent ? (current.descending ? 'descending' : 'ascending') : 'none',
    };
  }
  return out;
}

/**
 * A list page's sort, read leniently from `?sort=` (a column of `labels`, `-column` descending; anything
 * else is the default): the order for the service, the `sort` value for the API and the export link, and
 * the column headers.
 */
export function pageSort<C extends string>(
  req: { path: string; query: Record<string, unknown> },
  labels: Record<C, string>,
  defaultSort: NoInfer<C> | `-${NoInfer<C>}`,
): { order: { column: C; descending: boolean }; param: string; headers: Record<C, SortHeader> } {
  const order = sortOrder(req.query.sort, Object.keys(labels) as C[], defaultSort);
  return { order, param: `${order.descending ? '-' : ''}${order.column}`, headers: sortHeaders(req, labels, order) };
}

/**
 * The API's CSV export of what a list page shows: `apiPath` with `format=csv` and the page's query
 * parameters (search, filters, sort) but not its page. The API reads the same names as the page.
 */
export function csvExportUrl(apiPath: string, params: Record<string, string | number | boolean | null | undefined>): string {
  const qs = new URLSearchParams({ format: 'csv' });
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  return `${apiPath}?${qs.toString()}`;
}

/** Reads `?search=` for pages: trimmed, at most 100 characters, '' when absent. */
export const searchFrom = (v: unknown): string => (typeof v === 'string' ? v.trim().slice(0, 100) : '');

/** Reads `?page=` leniently for pages (a bad value means page 1, not an error page). */
export function pageFromQuery(v: unknown): number {
  const s = typeof v === 'string' ? v : '';
  const n = /^\d{1,7}$/.test(s) ? Number(s) : 1;
  return n >= 1 ? n : 1;
}

/** A local path to go back to after login: only "/something", never another site ("//x", "/\\x"). */
export function safeLocalPath(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length > 2000) return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  return next;
}

// ---------------------------------------------------------------------------------------------------
// Breadcrumbs

export interface Crumb {
  label: string;
  href: string;
}

/** "Customers › Acme › <section> ›": the way back from a page that belongs to a customer. */
export function customerCrumbs(customer: { id: number; name: string }, section?: Crumb): Crumb[] {
  const out: Crumb[] = [
    { label: 'Customers', href: '/customers' },
    { label: customer.name, href: `/customers/${customer.id}` },
  ];
  if (section) out.push(section);
  return out;
}
