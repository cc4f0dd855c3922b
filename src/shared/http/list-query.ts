/**
 * What every list endpoint shares beyond paging (src/shared/pagination.ts): the `sort` parameter (a
 * whitelisted column, `-column` for descending), the answer's format (JSON page, or the whole list as CSV
 * with `?format=csv` or `Accept: text/csv`) and the CSV answer itself, streamed slice by slice.
 *
 *   export class ListWidgetsQuery extends PageQuery {
 *     @SortParam(WIDGET_SORTS, 'name') sort?: string;
 *     @FormatParam() format?: ListFormat;
 *   }
 *
 *   @Get() @ApiListOk(WidgetPageDto, 'widgets.csv: id,name,...')
 *   async list(@Query() q: ListWidgetsQuery, @Req() req: Request, @Res() res: Response) {
 *     if (!wantsCsv(req, q.format)) return void res.json(await this.widgets.list(scope, q));
 *     await streamCsv(res, 'widgets.csv', WIDGET_CSV_HEADER, this.widgets.csvSlices(scope, q));
 *   }
 */
import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { stringify } from 'csv-stringify/sync';
import type { Request, Response } from 'express';

/** One sort column and its direction; lists break ties by id in the same direction, so an order is total. */
export interface SortOrder<C extends string = string> {
  column: C;
  descending: boolean;
}

/** The values `sort` accepts for these columns: each column, ascending, and `-column`, descending. */
export function sortValues(columns: readonly string[]): string[] {
  return columns.flatMap((c) => [c, `-${c}`]);
}

/**
 * The `sort` query parameter: one of `columns`, or `-column` for descending. Anything else is a 400
 * `validation_failed` naming the field `sort` and the accepted values (the global validation pipe).
 */
export function SortParam(columns: readonly string[], defaultSort: string): PropertyDecorator {
  const values = sortValues(columns);
  return applyDecorators(
    ApiPropertyOptional({
      enum: values,
      default: defaultSort,
      description: 'sort column; `-column` sorts descending; ties are broken by id (in the same direction)',
    }),
    IsOptional(),
    IsIn(values, { message: `must be one of ${values.join(', ')}` }),
  );
}

/** Reads a `sort` value (already validated by SortParam, or read leniently by a page: unknown → the default). */
export function sortOrder<C extends string>(value: unknown, columns: readonly C[], defaultSort: C | `-${C}`): SortOrder<C> {
  const raw = typeof value === 'string' && sortValues(columns).includes(value) ? value : defaultSort;
  const descending = raw.startsWith('-');
  return { column: (descending ? raw.slice(1) : raw) as C, descending };
}

export const LIST_FORMATS = ['json', 'csv'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

/** The `format` query parameter of a list: `csv` answers the whole list (no paging) as CSV. */
export function FormatParam(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      enum: LIST_FORMATS,
      default: 'json',
      description: 'csv: the whole list (same filters and sort, no paging) as text/csv; so does `Accept: text/csv`',
    }),
    IsOptional(),
    IsIn(LIST_FORMATS),
  );
}

/**
 * CSV or JSON: `format=csv` decides; otherwise the Accept header, where JSON wins a tie (`*\/*`, none, or
 * both at the same quality), so that only a client asking for CSV above JSON gets it.
 */
export function wantsCsv(req: Request, format: unknown): boolean {
  if (format === 'csv') return true;
  if (format === 'json') return false;
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}

/**
 * The 200 answer of a list endpoint: the JSON page, or the CSV document (the OpenAPI document gives the
 * CSV the type string, see src/openapi.ts). `csv` describes the CSV's columns.
 */
export function ApiListOk(type: new (...args: never[]) => unknown, csv: string): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiProduces('application/json', 'text/csv'),
    ApiOkResponse({
      type,
      description: `JSON: one page. CSV (\`?format=csv\` or \`Accept: text/csv\`): the whole list, same filters and sort, no paging; ${csv}`,
    }),
  );
}

/** A cell that spreadsheets would read as a formula (=, +, -, @, tab, CR first) is kept as text with a leading '. */
export function textCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Until the response can take more (or the client went away). */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/**
 * Answers `slices` as a CSV download named `filename`, each slice written as it comes and the next one
 * read only once the client has taken it (so a list of any length never sits in memory).
 *
 * The first slice is read before anything is sent: a request that fails (unknown customer, bad filter)
 * still answers its JSON error. A failure after the header is out cannot change the status any more; the
 * connection is then cut, so the client sees an incomplete download rather than a short file that looks
 * whole. A client that goes away stops the reading.
 */
export async function streamCsv(
  res: Response,
  filename: string,
  header: readonly string[],
  slices: AsyncIterable<readonly (readonly unknown[])[]>,
): Promise<void> {
  const it = slices[Symbol.asyncIterator]();
  let next = await it.next();
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.write(stringify([header as string[]]));
  try {
    while (!next.done) {
      if (res.destroyed) {
        await it.return?.();
        return;
      }
      if (next.value.length && !res.write(stringify(next.value as unknown[][]))) await drained(res);
      next = await it.next();
    }
    res.end();
  } catch (err) {
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * Slices of a list whose order is fixed up front: `ids` in list order (8 bytes each, where whole rows
 * would not fit), loaded and turned into CSV rows `size` at a time. For lists that page by id sets.
 */
export async function* sliceByIds<T>(
  ids: readonly number[],
  load: (ids: number[]) => Promise<T[]>,
  size = 500,
): AsyncGenerator<T[]> {
  for (let i = 0; i < ids.length; i += size) yield await load(ids.slice(i, i + size));
}

/** Slices of a list read page by page through its own paged query (for small lists: regions, rate plans...). */
export async function* sliceByPages<T>(
  page: (page: number, pageSize: number) => Promise<{ items: T[]; total: number }>,
  size = 500,
): AsyncGenerator<T[]> {
  for (let n = 1; ; n++) {
    const { items, total } = await page(n, size);
    if (items.length) yield items;
    if (items.length < size || n * size >= total) return;
  }
}

/** What a list endpoint answers as CSV: the file's name, its header and its rows, slice by slice. */
export interface CsvExport {
  filename: string;
  header: readonly string[];
  slices: AsyncIterable<readonly (readonly unknown[])[]>;
}

/**
 * The answer of a list endpoint: the JSON page, or (`format=csv` / `Accept: text/csv`) the CSV export.
 * Only the one asked for is computed; `csv` may check the request first (it fails as a JSON error then).
 */
export async function answerList(
  req: Request,
  res: Response,
  format: unknown,
  page: () => Promise<unknown>,
  csv: () => CsvExport | Promise<CsvExport>,
): Promise<void> {
  if (!wantsCsv(req, format)) {
    res.json(await page());
    return;
  }
  const { filename, header, slices } = await csv();
  await streamCsv(res, filename, header, slices);
}

/** CSV rows of a list read page by page through its own paged query (`sliceByPages`), each item made a row by `toRow`. */
export async function* csvRowsOfPages<T>(
  page: (page: number, pageSize: number) => Promise<{ items: T[]; total: number }>,
  toRow: (item: T) => unknown[],
  size = 500,
): AsyncGenerator<unknown[][]> {
  for await (const items of sliceByPages(page, size)) yield items.map(toRow);
}
