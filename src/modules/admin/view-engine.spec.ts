import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMPLATES_DIR } from '../../shared/paths';
import { handlebarsEngine, TemplateRenderError } from './view-engine';

/** Renders through the express engine; answers what its callback got (it is called synchronously). */
function render(file: string, model: Record<string, unknown>): { err: Error | null; html?: string } {
  let out: { err: Error | null; html?: string } | undefined;
  handlebarsEngine(file, model, (err, html) => (out = { err, html }));
  if (!out) throw new Error('the engine did not call back');
  return out;
}

describe('view engine (strict templates)', () => {
  let dir: string;
  let logged: unknown[][];
  const view = (name: string, source: string): string => {
    const file = join(dir, `${name}.hbs`);
    writeFileSync(file, source);
    return file;
  };
  const ERROR_VIEW = join(TEMPLATES_DIR, 'views', 'errors', 'error.hbs');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'views-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    logged = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
  });
  afterEach(() => jest.restoreAllMocks());

  it('refuses a view that reads a variable its model does not have, naming the template, and logs it at error level', () => {
    const { err, html } = render(ERROR_VIEW, { layout: false });
    expect(html).toBeUndefined();
    expect(err).toBeInstanceOf(TemplateRenderError);
    expect((err as TemplateRenderError).template).toBe('views/errors/error.hbs');
    expect(err?.message).toMatch(/^template views\/errors\/error\.hbs: "statusCode" not defined in undefined - 2:/);
    expect(logged).toHaveLength(1);
    const [fields, message] = logged[0] as [Record<string, unknown>, string];
    expect(fields).toMatchObject({ template: 'views/errors/error.hbs', err });
    expect(message).toContain('render failed: template views/errors/error.hbs');
  });

  it('is strict for a plain missing key too; a key that is present may hold null ("none")', () => {
    const file = view('plain', '<p>{{customer.name}}</p>');
    expect(render(file, { layout: false, customer: {} }).err?.message).toContain('"name" not defined');
    expect(render(file, { layout: false }).err?.message).toContain('"name" not defined in undefined');
    expect(render(file, { layout: false, customer: { name: null } })).toEqual({ err: null, html: '<p></p>' });
  });

  it('blames a partial that lacks a parameter, and the view that included it', () => {
    const file = view('with-partial', '{{> form/text name="email" label="Email"}}');
    const { err } = render(file, { layout: false });
    expect(err).toBeInstanceOf(TemplateRenderError);
    expect((err as TemplateRenderError).template).toBe('partials/form/text.hbs');
    expect((err as TemplateRenderError).via).toEqual([expect.stringMatching(/with-partial\.hbs$/)]);
    expect(err?.message).toContain('"value" not defined');
    // Given every parameter it shows (an optional one like `error` may be left out), it renders.
    const ok = render(view('with-partial-ok', '{{> form/text name="email" label="Email" value=""}}'), { layout: false });
    expect(ok.err).toBeNull();
    expect(ok.html).toContain('id="f-email"');
  });

  it('follows handlebars strict mode: a bare helper argument may be missing, a path through a missing object may not', () => {
    const guard = view('guard', '{{#if flag}}yes{{else}}no{{/if}} {{default note "—"}}');
    expect(render(guard, { layout: false })).toEqual({ err: null, html: 'no —' });
    const deep = view('deep', '{{#if values.fees.signup}}yes{{/if}}');
    expect(render(deep, { layout: false, values: {} }).err).toBeInstanceOf(TemplateRenderError);
    expect(render(deep, { layout: false, values: { fees: { signup: '' } } })).toEqual({ err: null, html: '' });
  });

  it('renders the error page in the main layout from the little the exception filter gives it', () => {
    const error = { statusCode: 404, error: 'Not Found', message: 'customer not found', details: [] };
    const { err, html } = render(ERROR_VIEW, { layout: 'layouts/main', title: 'Not Found', error });
    expect(err).toBeNull();
    expect(html).toContain('<h1>404 Not Found</h1>');
    expect(logged).toEqual([]);
  });

  it('blames the layout when the layout reads what the model lacks', () => {
    const error = { statusCode: 404, error: 'Not Found', message: 'x', details: [] };
    const { err } = render(ERROR_VIEW, { layout: 'layouts/main', title: 'Not Found', error, switchedTo: 'Acme' });
    expect((err as TemplateRenderError).template).toBe('layouts/main.hbs');
  });
});
