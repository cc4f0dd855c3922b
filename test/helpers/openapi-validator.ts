import Ajv2020, { _, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response, Test } from 'supertest';
import type TestAgent from 'supertest/lib/agent';

/**
 * Checks every answer of the JSON API against the OpenAPI document the app serves: the operation and
 * its status must be documented, the media type must be one the document lists, a body must match its
 * schema (and no body where none is documented). Response schemas are read strictly: an object field
 * the document does not declare fails (`additionalProperties: false` is added wherever a schema lists
 * its properties), so the document cannot fall behind what the server sends.
 *
 * Compiling the ~100 distinct response schemas takes seconds, so it happens once per document, not per
 * test file: the validators are generated as one standalone module (Ajv's standalone code) cached in
 * node_modules/.cache/openapi-validators under the document's hash, which every later test file (and
 * run) just loads. `CONTRACT_LOG=<file>` records the problems in the file instead of failing (to survey
 * a whole run).
 */
export class OpenApiResponseValidator {
  private readonly routes: Array<{ template: string; regex: RegExp }>;
  private readonly validators: Map<string, ValidateFunction>;

  constructor(private readonly doc: OpenApiDoc) {
    this.validators = loadValidators(doc);
    this.routes = Object.keys(doc.paths)
      .map((template) => ({
        template,
        regex: new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$'),
        params: (template.match(/\{/g) ?? []).length,
      }))
      // A literal segment wins over a parameter (/customers/form-options before /customers/{id}).
      .sort((a, b) => a.params - b.params || b.template.length - a.template.length);
  }

  /** Whether answers to this path are checked: the documented paths and everything under /api/ but the docs. */
  covers(path: string): boolean {
    if (path.startsWith('/api/docs')) return false;
    return path.startsWith('/api/') || this.routes.some((r) => r.regex.test(path));
  }

  /** A description of what is wrong with the answer, or null when the document describes it. */
  check(method: string, url: string, res: Answer): string | null {
    const path = new URL(url, 'http://localhost').pathname;
    if (!this.covers(path)) return null;
    const m = method.toLowerCase();
    const where = `${method.toUpperCase()} ${path} → ${res.status}`;
    const route = this.routes.find((r) => r.regex.test(path) && this.doc.paths[r.template][m]);
    if (!route) {
      // Unknown routes answer the error shape with 404 (or 405).
      if (res.status !== 404 && res.status !== 405) return `${where}: the operation is not in the OpenAPI document`;
      return this.checkBody(where, ERROR_BODY, res);
    }
    const op = this.doc.paths[route.template][m] as OpenApiOperation;
    const status = String(res.status);
    let response = op.responses[status] ?? op.responses[`${status[0]}XX`] ?? op.responses.default;
    if (!response)
      return `${where}: status ${status} is not documented for ${m.toUpperCase()} ${route.template} (documented: ${Object.keys(op.responses).join(', ')})`;
    if (response.$ref) response = this.doc.components?.responses?.[response.$ref.split('/').pop() ?? ''] ?? response;
    const type = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    const content = response.content ?? {};
    const mediaTypes = Object.keys(content);
    if (m === 'head') return null;
    if (!mediaTypes.length) {
      const empty =
        (res.text ?? '') === '' && (res.body === undefined || res.body === null || Object.keys(res.body as object).length === 0);
      return empty ? null : `${where}: the document says no body, the server sent ${type || 'a body'}: ${excerpt(res)}`;
    }
    const media =
      mediaTypes.find((t) => t === type) ?? mediaTypes.find((t) => t === '*/*' || (t.endsWith('/*') && type.startsWith(t.slice(0, -1))));
    if (!media) return `${where}: media type ${type || '(none)'} is not documented (documented: ${mediaTypes.join(', ')})`;
    if (!/[/+]json$/.test(media)) return null; // CSV, PDF...: the media type is the contract
    const schema = content[media].schema;
    if (!schema) return null;
    return this.checkBody(where, schema, res);
  }

  private checkBody(where: string, schema: object, res: Answer): string | null {
    const validate = this.validators.get(JSON.stringify(schema));
    if (!validate) throw new Error(`no validator for ${JSON.stringify(schema)}`);
    if (validate(res.body)) return null;
    const errors = (validate.errors ?? [])
      .slice(0, 8)
      .map(
        (e) =>
          `  ${e.instancePath || '(body)'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`,
      )
      .join('\n');
    return `${where}: the body does not match the OpenAPI document:\n${errors}\nbody: ${excerpt(res)}`;
  }

  /**
   * The same agent, with every request it makes checked (the check runs before the test's own
   * `.expect(...)`s, so an undocumented answer fails the request).
   */
  wrap(agent: TestAgent): TestAgent {
    return new Proxy(agent, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || typeof prop !== 'string' || !HTTP_METHODS.has(prop)) return value;
        return (...args: unknown[]) => {
          const test = (value as (...a: unknown[]) => Test).apply(target, args);
          const method = prop === 'del' ? 'delete' : prop;
          test.expect((res: Response) => {
            const problem = this.check(method, (test as unknown as { url: string }).url, res);
            if (problem && process.env.CONTRACT_LOG) appendFileSync(process.env.CONTRACT_LOG, `${problem}\n---\n`);
            else if (problem) throw new Error(`OpenAPI contract: ${problem}`);
          });
          return test;
        };
      },
    });
  }
}

/** What the check reads of an answer (a supertest Response has it; `fromFetch` makes it of a fetch Response). */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text?: string;
  body?: unknown;
}

/** An Answer of a fetch Response (read from a clone, so the caller can still read the body). */
export async function fromFetch(response: globalThis.Response): Promise<Answer> {
  const text = await response.clone().text();
  const type = response.headers.get('content-type') ?? '';
  let body: unknown = {};
  if (/json/.test(type) && text) body = JSON.parse(text) as unknown;
  return { status: response.status, headers: { 'content-type': type }, text, body };
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options']);

interface OpenApiResponse {
  $ref?: string;
  description?: string;
  content?: Record<string, { schema?: object }>;
}
interface OpenApiOperation {
  responses: Record<string, OpenApiResponse>;
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown>; responses?: Record<string, OpenApiResponse> };
}

function excerpt(res: Answer): string {
  const text = res.text ?? JSON.stringify(res.body);
  return text && text.length > 600 ? `${text.slice(0, 600)}…` : String(text);
}

const ERROR_BODY = { $ref: '#/components/schemas/ErrorBody' };
const DOC_ID = 'https://voip-billing.invalid/openapi.json';
const CACHE_DIR = join(__dirname, '../../node_modules/.cache/openapi-validators');
/** Bump when the generated module's shape changes. */
const CACHE_VERSION = '1';

/** The JSON response schemas of the document, each once. */
function responseSchemas(doc: OpenApiDoc): object[] {
  const found = new Map<string, object>([[JSON.stringify(ERROR_BODY), ERROR_BODY]]);
  const visit = (response: OpenApiResponse | undefined): void => {
    for (const [media, content] of Object.entries(response?.content ?? {})) {
      if (/[/+]json$/.test(media) && content.schema) found.set(JSON.stringify(content.schema), content.schema);
    }
  };
  for (const response of Object.values(doc.components?.responses ?? {})) visit(response);
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item) as Array<Partial<OpenApiOperation>>) {
      for (const response of Object.values(op.responses ?? {})) visit(response);
    }
  }
  return [...found.values()];
}

/** A validator per response schema (keyed by its JSON), from the cached module or generated into it. */
function loadValidators(doc: OpenApiDoc): Map<string, ValidateFunction> {
  const schemas = responseSchemas(doc);
  const hash = createHash('sha256').update(CACHE_VERSION).update(JSON.stringify(doc)).digest('hex').slice(0, 32);
  const file = join(CACHE_DIR, `${hash}.js`);
  if (!existsSync(file)) {
    const formats = require.resolve('ajv-formats/dist/formats');
    const ajv = new Ajv2020({ strict: false, allErrors: true, code: { source: true, formats: _`require(${formats}).fullFormats` } });
    addFormats(ajv);
    ajv.addSchema({ $id: DOC_ID, components: strict(rewriteRefs(structuredClone(doc.components ?? {}), DOC_ID)) });
    schemas.forEach((schema, i) => ajv.addSchema({ $id: `r${i}`, ...strict(rewriteRefs(structuredClone(schema), DOC_ID)) }));
    const code = standaloneCode(ajv, Object.fromEntries(schemas.map((_s, i) => [`v${i}`, `r${i}`])));
    mkdirSync(CACHE_DIR, { recursive: true });
    // Modules of earlier documents (older than a day, so no running test file still loads them) go.
    for (const old of readdirSync(CACHE_DIR)) {
      const path = join(CACHE_DIR, old);
      if (Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { force: true });
    }
    // Written aside and renamed: test files starting at once may generate it together.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const generated = require(file) as Record<string, ValidateFunction>;
  return new Map(schemas.map((schema, i) => [JSON.stringify(schema), generated[`v${i}`]]));
}

/** Absolute $refs into the document added to ajv under `id`. */
function rewriteRefs<T>(node: T, id: string): T {
  if (Array.isArray(node)) node.forEach((n) => rewriteRefs(n, id));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.$ref === 'string' && o.$ref.startsWith('#/')) o.$ref = id + o.$ref;
    for (const v of Object.values(o)) rewriteRefs(v, id);
  }
  return node;
}

/** Makes every object schema that lists its properties allow no others (in place). */
function strict<T>(node: T): T {
  if (Array.isArray(node)) node.forEach(strict);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object' && o.additionalProperties === undefined) o.additionalProperties = false;
    for (const [k, v] of Object.entries(o)) if (k !== 'example' && k !== 'examples') strict(v);
  }
  return node;
}
