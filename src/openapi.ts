import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from './config/config';
import { ERROR_CODES } from './shared/errors';

/**
 * The OpenAPI document, served at /api/docs (UI) and /api/docs-json, committed as docs/openapi.json
 * (`npm run docs:openapi`; the lint fails when it is stale).
 *
 * Nest builds the operations from the controllers' decorators; `finishDocument` then adds what every
 * operation shares, so that no controller has to repeat it and generated clients can trust it:
 * - OpenAPI 3.1 nullability (`type: [t, "null"]`, `null` in nullable enums, `anyOf [$ref, null]`),
 *   since 3.0's `nullable` is ignored next to a `$ref` and strict validators reject it without a type;
 * - the error responses each operation can give, all with the one `ErrorBody` schema whose `code` lists
 *   ERROR_CODES (so a new code appears here without an edit): 400 and 500 always; 401, 403 and 429 where
 *   a login is needed (403 on reads only where the controller declares it; 429 for a client address
 *   blocked after wrong API keys); 404 with a path parameter; 413 and 415 on writes (a body is checked
 *   even where none is taken); 409 with an Idempotency-Key header; otherwise 404, 409, 422 and 429 where
 *   the controller declares them (@ApiConflictResponse...: only the description, the schema is added);
 * - `security: []` on @Public() operations (the whole API otherwise needs a bearer token);
 * - the test clock's operations only when TEST_CLOCK=true;
 * - a stable order of paths, schemas and responses, so the committed document diffs cleanly.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = app.get<AppConfig>(APP_CONFIG);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('VoIP Billing API')
      .setDescription(
        'REST API of the billing platform. Money is a decimal string ("12.50"), never a JSON number. Times are ISO 8601 with ' +
          'offset, dates YYYY-MM-DD. Every error answers the `ErrorBody` schema: `{ statusCode, error, code, message, details: ' +
          '[{ field, message }] }`; branch on `code` (the list is in docs/API-ERRORS.md), never on `message`.',
      )
      .setVersion('1')
      .addServer('/', 'the server that serves this document')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'token from POST /api/v1/auth/token, or an API key' })
      .addSecurityRequirements('bearer')
      .build(),
  );
  return finishDocument(document, { testClock: config.testClock });
}

export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'api/docs-json' });
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const ERROR_RESPONSES: Record<string, { name: string; description: string }> = {
  '400': {
    name: 'BadRequest',
    description: 'Bad input: `validation_failed` (`details` lists every problem of the request at once, one entry per field with its own `code`) or `malformed_body`.',
  },
  '401': { name: 'Unauthorized', description: 'No valid login, token or API key (`unauthenticated`).' },
  '403': { name: 'Forbidden', description: 'Logged in but not allowed (`forbidden`; ordinary users may only read), or `csrf_failed`.' },
  '404': { name: 'NotFound', description: 'It does not exist, or it is outside the caller’s part of the tree (`not_found`).' },
  '409': { name: 'Conflict', description: 'The change conflicts with the current state (`conflict`, `already_exists`, `in_use`…).' },
  '413': { name: 'PayloadTooLarge', description: 'The request body is larger than allowed (`payload_too_large`).' },
  '415': {
    name: 'UnsupportedMediaType',
    description: 'The body is in a media type the operation does not take (`unsupported_media_type`).',
  },
  '422': { name: 'UnprocessableEntity', description: 'A business rule refused it; `code` says which.' },
  '429': {
    name: 'TooManyRequests',
    description: 'Too many attempts (`throttled`), e.g. wrong API keys from this address; retry after `Retry-After` seconds.',
  },
  '500': { name: 'InternalError', description: 'An unexpected error (`internal_error`); no internals are shown.' },
};

const ERROR_BODY_REF = { $ref: '#/components/schemas/ErrorBody' };
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function finishDocument(input: OpenAPIObject, options: { testClock: boolean }): OpenAPIObject {
  const doc = structuredClone(input) as unknown as Json;
  doc.openapi = '3.1.0';
  const info = doc.info as Json;
  info.license = { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' };
  const paths = doc.paths as Record<string, Json>;
  if (!options.testClock) {
    for (const p of Object.keys(paths)) if (p.startsWith('/api/v1/test/')) delete paths[p];
    if (Array.isArray(doc.tags)) doc.tags = (doc.tags as Json[]).filter((t) => t.name !== 'test clock');
  }

  const components = doc.components as Json;
  const schemas = (components.schemas ??= {}) as Json;
  schemas.FieldError = {
    type: 'object',
    properties: {
      field: { type: 'string', description: 'the input field (dotted path, or `line N` of an upload)', example: 'creditLimit' },
      message: { type: 'string', example: 'must be a decimal string' },
      code: {
        type: 'string',
        enum: Object.keys(ERROR_CODES),
        description: 'what is wrong with this field (`validation_failed`, `already_exists`, `not_found`, ...); docs/API-ERRORS.md',
        example: 'validation_failed',
      },
    },
    required: ['field', 'message', 'code'],
  };
  schemas.ErrorBody = {
    type: 'object',
    description: 'The body of every error answer.',
    properties: {
      statusCode: { type: 'integer', description: 'the HTTP status', example: 400 },
      error: { type: 'string', description: 'the HTTP reason phrase', example: 'Bad Request' },
      code: { type: 'string', enum: Object.keys(ERROR_CODES), description: 'stable machine-readable code (docs/API-ERRORS.md)' },
      message: { type: 'string', description: 'for people; its wording may change', example: 'creditLimit: must be a decimal string' },
      details: {
        type: 'array',
        items: { $ref: '#/components/schemas/FieldError' },
        description: 'one entry per bad field, every problem of the request at once (format and business checks)',
      },
    },
    required: ['statusCode', 'error', 'code', 'message', 'details'],
    example: {
      statusCode: 400,
      error: 'Bad Request',
      code: 'validation_failed',
      message: 'creditLimit: must be a decimal string',
      details: [{ field: 'creditLimit', message: 'must be a decimal string', code: 'validation_failed' }],
    },
  };
  const responses = (components.responses ??= {}) as Json;
  const errorContent = () => ({ 'application/json': { schema: { ...ERROR_BODY_REF } } });
  for (const [status, { name, description }] of Object.entries(ERROR_RESPONSES)) {
    responses[name] = { description, content: errorContent() };
    if (status === '429')
      (responses[name] as Json).headers = { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } };
  }

  for (const item of Object.values(paths)) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (op) finishOperation(op, method);
    }
  }

  toOpenApi31(doc);
  dropUnusedComponents(doc);
  doc.paths = sortKeys(paths);
  components.schemas = sortKeys(schemas);
  components.responses = sortKeys(responses);
  return doc as unknown as OpenAPIObject;
}

function finishOperation(op: Json, method: string): void {
  const isPublic = op['x-public'] === true;
  delete op['x-public'];
  if (isPublic) op.security = [];
  else delete op.security; // the document's default (bearer) applies
  const parameters = (op.parameters as Json[] | undefined) ?? [];
  // Numeric path parameters are ids read with ParseIntPipe: whole numbers.
  for (const p of parameters) if (p.in === 'path' && isObject(p.schema) && p.schema.type === 'number') p.schema.type = 'integer';
  const hasBody = isObject(op.requestBody);
  // A text upload (a CSV deck) is the raw file: say so, so that generated clients do not send a JSON string.
  for (const [media, body] of Object.entries(((op.requestBody as Json | undefined)?.content ?? {}) as Record<string, Json>)) {
    if (media.startsWith('text/') && isObject(body.schema)) body.schema.contentMediaType = media;
  }
  const responses = (op.responses ??= {}) as Json;
  const auto = new Set<string>(['500']);
  // Bodies are parsed before routing, so even an operation without input answers 400 to a malformed one.
  auto.add('400');
  const reads = method === 'get' || method === 'head';
  if (!isPublic) {
    auto.add('401');
    // Wrong API keys are throttled per client address: a blocked address is refused on every operation.
    auto.add('429');
  }
  if (!isPublic && !reads) auto.add('403');
  if (parameters.some((p) => p.in === 'path')) auto.add('404');
  // Writes check the body's size and media type even where they take none (a body there is refused).
  if (hasBody || !reads) {
    auto.add('413');
    auto.add('415');
  }
  // A repeated Idempotency-Key with another request is refused (src/shared/idempotency).
  if (parameters.some((p) => p.in === 'header' && String(p.name).toLowerCase() === 'idempotency-key') && !('409' in responses)) {
    responses['409'] = { description: '`conflict`: the Idempotency-Key was used for another request' };
  }
  for (const status of auto)
    if (!(status in responses)) responses[status] = { $ref: `#/components/responses/${ERROR_RESPONSES[status].name}` };
  for (const [status, response] of Object.entries(responses)) {
    if (!isObject(response) || '$ref' in response) continue;
    if (Number(status) >= 400) {
      const shared = ERROR_RESPONSES[status];
      if (!response.description && shared) {
        responses[status] = { $ref: `#/components/responses/${shared.name}` };
        continue;
      }
      response.content = { 'application/json': { schema: { ...ERROR_BODY_REF } } };
      if (status === '429') response.headers = { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } };
    } else {
      if (!response.description) response.description = status === '201' ? 'Created' : status === '204' ? 'No content' : 'OK';
      // @ApiProduces('application/json', 'text/csv') gives the CSV the JSON type too: a CSV document is a string.
      for (const [media, body] of Object.entries((response.content ?? {}) as Record<string, Json>)) {
        if (media.startsWith('text/')) body.schema = { type: 'string' };
      }
    }
  }
  op.responses = sortKeys(responses);
}

/** Rewrites OpenAPI 3.0 `nullable` into 3.1 (JSON Schema) nullability, everywhere in the document. */
function toOpenApi31(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(toOpenApi31);
    return;
  }
  if (!isObject(node)) return;
  for (const value of Object.values(node)) toOpenApi31(value);
  if (node.nullable === undefined) return;
  const nullable = node.nullable === true;
  delete node.nullable;
  if (!nullable) return;
  if (Array.isArray(node.allOf) && node.allOf.length === 1) {
    // `{ type: object, nullable, allOf: [$ref] }` (a nullable nested DTO): the reference or null.
    node.anyOf = [node.allOf[0], { type: 'null' }];
    delete node.allOf;
    delete node.type;
  } else if (Array.isArray(node.oneOf)) {
    node.oneOf = [...(node.oneOf as unknown[]), { type: 'null' }];
  } else if (typeof node.type === 'string') {
    node.type = [node.type, 'null'];
    if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...(node.enum as unknown[]), null];
  } else if (node.$ref) {
    node.anyOf = [{ $ref: node.$ref }, { type: 'null' }];
    delete node.$ref;
  }
}

/** Removes schemas and responses that no operation reaches (e.g. the test clock's when it is off). */
function dropUnusedComponents(doc: Json): void {
  const components = doc.components as Record<string, Json>;
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    const ref = node.$ref;
    if (typeof ref === 'string' && !used.has(ref)) {
      used.add(ref);
      const [, , kind, name] = ref.split('/');
      visit(components[kind]?.[name]);
    }
    for (const value of Object.values(node)) visit(value);
  };
  visit(doc.paths);
  for (const kind of ['schemas', 'responses']) {
    const group = components[kind] ?? {};
    for (const name of Object.keys(group)) if (!used.has(`#/components/${kind}/${name}`)) delete group[name];
  }
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
