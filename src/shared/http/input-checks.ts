/**
 * Checks every request's input gets before any handler, DTO or validator sees it (issue #13):
 *
 * - the raw body: well-formed UTF-8, and no deeper than the configured nesting (`bodyVerifier`, run by
 *   the body parsers before they parse, so a 5,000-level body never reaches the recursive validators);
 * - the parsed body, query and path values (`textErrors`): at most MAX_ITEMS elements or fields in any
 *   array or object, no prototype keys (`__proto__`, `constructor`,
 *   `prototype`, which class-transformer silently drops), every string well-formed Unicode (no lone
 *   surrogate) and free of control characters — a multi-line field (see MULTI_LINE_FIELDS) may hold tab,
 *   line feed and carriage return, a one-line field none.
 *
 * The API refuses with 400 naming each field in `details`; the pages show the same messages inline
 * (`validateForm` in the admin module runs `textErrors` over the form's values).
 */
import { isUtf8 } from 'node:buffer';
import type { NextFunction, Request, Response } from 'express';
import type { FieldError } from '../errors';
import { ValidationError } from '../errors';

/** Keys that reach an object's prototype machinery; refused wherever they appear. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Fields that are text areas, by their last path segment: they may hold tab, line feed and carriage return
 * (a browser sends a text area's line breaks as CR LF). Every other string field is one line.
 */
export const MULTI_LINE_FIELDS: ReadonlySet<string> = new Set(['description', 'notes', 'comment']);

// C0 controls, DEL and C1 controls; the multi-line variant leaves out tab, LF and CR.
// eslint-disable-next-line no-control-regex
const ONE_LINE_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const MULTI_LINE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The most elements of one array, or fields of one object, anywhere in a body or query. The validators are
 * quadratic in places (unknown fields, unique items): 60,000 unknown fields in a 1 MiB body took 10 s of CPU
 * and answered 4 MB. No endpoint takes more (a CDR batch holds at most 1,000).
 */
export const MAX_ITEMS = 1000;

/** Lists each key and string of `value` that breaks the rules, with its path (`billingAddress.city`, `[3].called`). */
export function textErrors(value: unknown, path = '', maxErrors = 20): FieldError[] {
  const out: FieldError[] = [];
  walk(value, path, out, maxErrors);
  return out;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

function lastSegment(path: string): string {
  const m = /([^.[\]]+)(?:\[\d+\])*$/.exec(path);
  return m ? m[1] : path;
}

function stringError(s: string, path: string): string | null {
  if (LONE_SURROGATE.test(s)) return 'is not well-formed Unicode (it holds a lone surrogate)';
  const control = (MULTI_LINE_FIELDS.has(lastSegment(path)) ? MULTI_LINE_CONTROL : ONE_LINE_CONTROL).exec(s);
  if (control) {
    const hex = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `must not contain control characters (U+${hex})`;
  }
  return null;
}

function walk(value: unknown, path: string, out: FieldError[], max: number): void {
  if (out.length >= max) return;
  if (typeof value === 'string') {
    const message = stringError(value, path);
    if (message) out.push({ field: path || '(body)', message });
    return;
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_ITEMS) {
      out.push({ field: path || '(body)', message: `must hold at most ${MAX_ITEMS} items` });
      return;
    }
    value.forEach((v, i) => walk(v, join(path, i), out, max));
    return;
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length > MAX_ITEMS) {
      out.push({ field: path || '(body)', message: `must hold at most ${MAX_ITEMS} fields` });
      return;
    }
    for (const key of keys) {
      if (out.length >= max) return;
      const field = join(path, key);
      if (PROTOTYPE_KEYS.has(key)) {
        out.push({ field, message: 'should not exist' });
        continue;
      }
      const keyMessage = stringError(key, '');
      if (keyMessage) {
        out.push({ field, message: `property name ${keyMessage}` });
        continue;
      }
      walk((value as Record<string, unknown>)[key], field, out, max);
    }
  }
}

/** An error that the exception filter maps by its `type`, as it maps body-parser's own. */
export class BodyError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly type: string,
  ) {
    super(message);
  }
}

/**
 * The body parsers' `verify` hook: runs on the raw bytes before parsing. Refuses bytes that are not UTF-8
 * (they would be decoded to U+FFFD and stored mangled) and JSON nested deeper than `maxDepth` (the
 * validators recurse once per level: 5,000 levels overflowed the stack, a 500).
 */
export function bodyVerifier(maxDepth: number): (req: Request, res: Response, buf: Buffer, encoding: string) => void {
  return (_req, _res, buf, encoding) => {
    if ((!encoding || /^utf-?8$/i.test(encoding)) && !isUtf8(buf)) {
      throw new BodyError('request body is not well-formed UTF-8', 400, 'entity.not.utf8');
    }
    if (jsonDepth(buf, maxDepth) > maxDepth) {
      throw new BodyError(`request body is nested deeper than ${maxDepth} levels`, 400, 'entity.too.deep');
    }
  };
}

/**
 * The nesting depth of a JSON text, counted over its bytes (brackets inside strings do not count); stops
 * counting once past `stopAt`. Only meaningful for JSON, and harmless for a form body (no brackets at the
 * top level of `a=1&b=2`; a form's nesting is bounded by the parser's own `depth`).
 */
export function jsonDepth(buf: Buffer, stopAt = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAt) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * Express middleware after the body parsers: refuses a request whose query string breaks the text rules,
 * with 400 `validation_failed` naming each field. API bodies and path values are checked by
 * BodyMediaTypeGuard (after routing: the handler's media types come first); page forms in their own
 * validation, so that the errors show inline.
 */
export function inputTextCheck(req: Request, _res: Response, next: NextFunction): void {
  const details = [...queryEncodingErrors(req.originalUrl), ...textErrors(req.query as unknown)];
  if (details.length === 0) return next();
  next(new ValidationError(details.map((d) => `${d.field}: ${d.message}`).join('; '), details));
}

/**
 * The query string's parser turns a percent-encoding that is not UTF-8 (`%FF`, an encoded surrogate) into
 * U+FFFD without a word; the raw text is checked first so that such a value is refused, not mangled.
 */
function queryEncodingErrors(url: string): FieldError[] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  for (const part of url.slice(q + 1).split('&')) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      const name = part.split('=')[0];
      let field = name;
      try {
        field = decodeURIComponent(name);
      } catch {
        field = '(query)';
      }
      return [{ field, message: 'is not well-formed percent-encoded UTF-8' }];
    }
  }
  return [];
}
