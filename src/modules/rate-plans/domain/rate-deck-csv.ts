import { Parser } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { DateTime } from 'luxon';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Money } from '../../../shared/money';
import { type ByteHash, CompactKeyTable } from './compact-key-table';
import { MAX_PREFIX_LENGTH } from './prefix-index';
import { bandMinutes, Direction, parseHHMM, RateDefinition, rateKey } from './rate';

export const REQUIRED_COLUMNS = [
  'prefix',
  'destination',
  'connect_fee',
  'included_seconds',
  'per_minute',
  'first_block',
  'increment',
  'minimum_charge',
  'direction',
] as const;
export const OPTIONAL_COLUMNS = ['per_message', 'days', 'start_time', 'end_time', 'priority', 'valid_from', 'valid_until'] as const;
/** Column order of an export: the required columns, then the optional ones. */
export const DECK_COLUMNS = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS] as const;
export type DeckColumn = (typeof DECK_COLUMNS)[number];
export type DeckFields = Partial<Record<DeckColumn, string>>;

export const MAX_DESTINATION_LENGTH = 100;
export const DEFAULT_BATCH_SIZE = 5000;
export const DEFAULT_MAX_ERRORS = 1000;
const YIELD_EVERY_ROWS = 2000;

export interface DeckError {
  /** 1-based line in the file; the header is line 1. */
  line: number;
  message: string;
}

/** `fileLevel` marks errors that are not about one data row (header, empty deck, CSV syntax). */
export type DeckRow = { line: number; rate: RateDefinition } | { line: number; error: string; fileLevel?: true };

// ---------------------------------------------------------------------------------------------------
// One row
// ---------------------------------------------------------------------------------------------------

const PREFIX = new RegExp(`^\\d{1,${MAX_PREFIX_LENGTH}}$`);
const SECONDS = /^\d{1,9}$/;
const PRIORITY = /^-?\d{1,9}$/;
const DAYS = /^[1-7]{1,7}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
// Offset required: a bare local time would depend on whoever's zone reads it.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
// Control characters break line-based reports; a leading = + - @ turns a cell into a spreadsheet
// formula when an export is opened in Excel (CSV injection).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const FORMULA_START = /^[=+\-@]/;

/**
 * Reads a date or date-time. A plain date means midnight UTC: decks travel between operators in
 * different zones, and UTC keeps "2026-01-01" the same instant for all of them (and in the export,
 * which writes UTC).
 */
function parseInstant(text: string): Date | null {
  let parsed: DateTime;
  if (ISO_DATE.test(text)) parsed = DateTime.fromISO(text, { zone: 'utc' });
  else if (ISO_DATE_TIME.test(text)) parsed = DateTime.fromISO(text, { setZone: true });
  else return null;
  if (!parsed.isValid) return null;
  // Only the years both databases store (MariaDB's DATETIME: 1000 to 9999); the fuzz of issue #13 stored 0000.
  const date = parsed.toJSDate();
  return date.getTime() >= Date.UTC(1000, 0, 1) && date.getTime() < Date.UTC(10000, 0, 1) ? date : null;
}

/**
 * Validates and converts one row given as column -> text (missing optional columns may be absent).
 * Returns every problem of the row, so that one pass over a deck reports everything.
 */
export function parseRateRow(fields: DeckFields): { rate: RateDefinition } | { errors: string[] } {
  const errors: string[] = [];
  const text = (column: DeckColumn) => (fields[column] ?? '').trim();

  const prefix = text('prefix');
  if (!PREFIX.test(prefix)) errors.push(`prefix: must be 1 to ${MAX_PREFIX_LENGTH} digits, got ${JSON.stringify(prefix)}`);

  const destination = text('destination');
  if (destination === '') errors.push('destination: is required');
  else if (destination.length > MAX_DESTINATION_LENGTH && Array.from(destination).length > MAX_DESTINATION_LENGTH) {
    errors.push(`destination: must be at most ${MAX_DESTINATION_LENGTH} characters`);
  } else if (CONTROL_CHARS.test(destination)) errors.push('destination: must not contain control characters or line breaks');
  else if (FORMULA_START.test(destination)) errors.push('destination: must not start with =, +, - or @');

  const money = (column: DeckColumn, optional = false): Money => {
    const value = text(column);
    if (value === '') {
      if (!optional) errors.push(`${column}: is required`);
      return Money.ZERO;
    }
    const parsed = Money.parse(value);
    if (parsed === null) {
      errors.push(`${column}: must be a decimal amount with at most 6 decimal places (no exponent), got ${JSON.stringify(value)}`);
      return Money.ZERO;
    }
    if (parsed.isNegative()) errors.push(`${column}: must not be negative`);
    return parsed;
  };
  const seconds = (column: DeckColumn, min: number): number => {
    const value = text(column);
    if (!SECONDS.test(value)) {
      errors.push(value === '' ? `${column}: is required` : `${column}: must be a whole number of seconds, got ${JSON.stringify(value)}`);
      return 0;
    }
    const n = Number(value);
    if (n < min) errors.push(`${column}: must be at least ${min}`);
    return n;
  };

  const connectFee = money('connect_fee');
  const includedSeconds = seconds('included_seconds', 0);
  const perMinute = money('per_minute');
  const firstBlock = seconds('first_block', 0);
  const increment = seconds('increment', 1);
  const minimumCharge = money('minimum_charge');
  const perMessage = money('per_message', true);

  let direction: Direction = 'outbound';
  const dir = text('direction').toLowerCase();
  if (dir === 'inbound') direction = 'inbound';
  else if (dir !== '' && dir !== 'outbound')
    errors.push(`direction: must be outbound or inbound, got ${JSON.stringify(text('direction'))}`);

  let days: string | null = null;
  const daysText = text('days');
  if (daysText !== '') {
    if (!DAYS.test(daysText) || new Set(daysText).size !== daysText.length) {
      errors.push(`days: must be distinct digits 1-7 (Monday = 1), got ${JSON.stringify(daysText)}`);
    } else {
      // Sorted so that "51" and "15" are the same rate for duplicate detection and in the export.
      days = [...daysText].sort().join('');
    }
  }

  const time = (column: 'start_time' | 'end_time'): string | null => {
    const value = text(column);
    if (value === '') return null;
    const endOfDayAllowed = column === 'end_time';
    if (parseHHMM(value, endOfDayAllowed) === null) {
      errors.push(`${column}: must be HH:MM from 00:00 to ${endOfDayAllowed ? '24:00' : '23:59'}, got ${JSON.stringify(value)}`);
      return null;
    }
    return value;
  };
  const startTime = time('start_time');
  const endTime = time('end_time');
  if (startTime !== null && endTime !== null) {
    const band = bandMinutes({ startTime, endTime });
    // Equal ends are ambiguous (empty or 24 h?); 00:00-00:00 is the spelling for a full day.
    if (band.start === band.end) errors.push('end_time: must differ from start_time');
  }

  let priority = 0;
  const priorityText = text('priority');
  if (priorityText !== '') {
    if (PRIORITY.test(priorityText)) priority = Number(priorityText);
    else errors.push(`priority: must be a whole number, got ${JSON.stringify(priorityText)}`);
  }

  const instant = (column: 'valid_from' | 'valid_until'): Date | null => {
    const value = text(column);
    if (value === '') return null;
    const parsed = parseInstant(value);
    if (parsed === null) {
      errors.push(`${column}: must be a date (YYYY-MM-DD) or a date-time with offset (2026-01-01T00:00:00Z), got ${JSON.stringify(value)}`);
    }
    return parsed;
  };
  const validFrom = instant('valid_from');
  const validUntil = instant('valid_until');
  if (validFrom !== null && validUntil !== null && validUntil.getTime() <= validFrom.getTime()) {
    errors.push('valid_until: must be after valid_from');
  }

  if (errors.length > 0) return { errors };
  return {
    rate: {
      prefix,
      destination,
      direction,
      connectFee,
      includedSeconds,
      perMinute,
      firstBlock,
      increment,
      minimumCharge,
      perMessage,
      days,
      startTime,
      endTime,
      priority,
      validFrom,
      validUntil,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Whole deck
// ---------------------------------------------------------------------------------------------------

const KNOWN_COLUMNS: ReadonlySet<string> = new Set(DECK_COLUMNS);

/** Maps header names to their positions, or explains what is wrong with the header. */
function readHeader(record: string[]): { columns: (DeckColumn | null)[] } | { error: string } {
  const names = record.map((name) => name.trim().toLowerCase());
  const problems: string[] = [];
  const unknown = names.filter((n) => !KNOWN_COLUMNS.has(n));
  if (unknown.length > 0) problems.push(`unknown column(s): ${unknown.map((n) => JSON.stringify(n)).join(', ')}`);
  const repeated = names.filter((n, i) => KNOWN_COLUMNS.has(n) && names.indexOf(n) !== i);
  if (repeated.length > 0) problems.push(`repeated column(s): ${[...new Set(repeated)].join(', ')}`);
  const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) problems.push(`missing required column(s): ${missing.join(', ')}`);
  if (problems.length > 0) {
    return {
      error: `bad header: ${problems.join('; ')}. Expected ${REQUIRED_COLUMNS.join(',')} and optionally ${OPTIONAL_COLUMNS.join(',')}`,
    };
  }
  return { columns: names as DeckColumn[] };
}

/** A record with the parser's counters where it ends. */
interface CsvRecord {
  record: string[];
  lines: number;
  emptyLines: number;
  records: number;
}

/**
 * csv-parse emitting each record with the counters it has when it emits it (the values its `info` option
 * would report). Not the `info` or `on_record` options: both build a large info object per record, and
 * in a plain parse of a 1M-row deck that put ~175 MB into V8's old generation (and 20 full GCs), against
 * 0 MB this way. Relies on csv-parse pushing each record synchronously from its parse loop, with
 * `info` already counting that record (csv-parse 6).
 */
class CountingCsvParser extends Parser {
  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) return super.push(null, encoding);
    const { lines, empty_lines, records } = this.info;
    const counted: CsvRecord = { record: chunk as string[], lines, emptyLines: empty_lines, records };
    return super.push(counted, encoding);
  }
}

interface CsvParseError extends Error {
  code: string;
}

export interface ParseRateDeckOptions {
  /** Replaces the hash of the duplicate check's key table (tests force collisions with a weak one). */
  keyHash?: ByteHash;
}

const isCsvError = (e: unknown): e is CsvParseError =>
  e instanceof Error && typeof (e as CsvParseError).code === 'string' && (e as CsvParseError).code.startsWith('CSV_');

/**
 * Streams a rate deck: one item per data row, either the rate or the row's error, with its 1-based line
 * number (the header is line 1; a record spanning lines reports the line it starts on). A bad header
 * ends the stream (no row can be read without it); an empty deck is an error on line 1; a CSV syntax
 * error such as an unclosed quote is reported on the line the broken record starts. Duplicates (same
 * prefix, direction, days, time band and valid_from, see rateKey) are errors naming the earlier line.
 *
 * Rows are produced as the input is read, so memory stays flat apart from the duplicate check: every
 * row's key is kept, exactly, in a CompactKeyTable (typed arrays outside the JS heap, ~45 bytes per row,
 * i.e. ~45 MB for a 1M-row deck) with the line it came from.
 */
export async function* parseRateDeck(
  input: Readable | AsyncIterable<string | Buffer>,
  opts: ParseRateDeckOptions = {},
): AsyncGenerator<DeckRow> {
  // A syntax error (in practice an unclosed quote, which swallows the rest of the file) is skipped and
  // reported rather than thrown: a thrown error would destroy the parser and lose the rows it has
  // already parsed but we have not read yet, and with them their errors.
  const skipped: { records: number; lines: number; message: string }[] = [];
  const parser = new CountingCsvParser({
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      // CsvError carries the parser's counters as untyped context fields.
      const count = (v: unknown) => (typeof v === 'number' ? v : -1);
      if (err) skipped.push({ records: count(err.records), lines: count(err.lines), message: err.message });
      return undefined;
    },
  });
  const source = input instanceof Readable ? input : Readable.from(input);
  // Errors of either stream surface through the parser's iterator below; the promise only needs handling.
  pipeline(source, parser).catch(() => undefined);

  let columns: (DeckColumn | null)[] | null = null;
  let endLine = 0; // last line of the previous record
  let emptyLines = 0;
  let dataRows = 0;
  // Key -> line of its first row. Exact (keys are compared, not just hashed), so a hash collision can
  // never report a false duplicate.
  const firstLineByKey = new CompactKeyTable({ hash: opts.keyHash });

  /** Skipped records that came before record number `before` (1-based), in file order. */
  function* skippedBefore(before: number): Generator<DeckRow> {
    while (skipped.length > 0 && skipped[0].records < before) {
      const skip = skipped.shift()!;
      const line = endLine + 1;
      endLine = skip.lines >= 0 ? skip.lines : line;
      if (columns === null) {
        yield { line, error: `CSV syntax error in the header: ${skip.message}`, fileLevel: true };
        return;
      }
      dataRows++;
      yield { line, error: `CSV syntax error: ${skip.message}` };
    }
  }

  try {
    for await (const csv of parser as AsyncIterable<CsvRecord>) {
      const record = csv.record;
      if (skipped.length > 0) {
        for (const row of skippedBefore(csv.records)) {
          yield row;
          if ('fileLevel' in row) return;
        }
      }
      // csv.lines is where the record ENDS; the start is just after the previous record and any blank lines.
      const line = endLine + 1 + (csv.emptyLines - emptyLines);
      endLine = csv.lines;
      emptyLines = csv.emptyLines;

      if (columns === null) {
        const header = readHeader(record);
        if ('error' in header) {
          yield { line, error: header.error, fileLevel: true };
          return;
        }
        columns = header.columns;
        continue;
      }

      dataRows++;
      // An in-memory or fast source would otherwise keep the event loop busy (microtasks only) for the
      // whole deck, starving every other request of the server.
      if (dataRows % YIELD_EVERY_ROWS === 0) await new Promise((resolve) => setImmediate(resolve));
      if (record.length !== columns.length) {
        yield { line, error: `expected ${columns.length} fields as in the header, found ${record.length}` };
        continue;
      }
      const fields: DeckFields = {};
      for (let i = 0; i < columns.length; i++) fields[columns[i] as DeckColumn] = record[i];
      const parsed = parseRateRow(fields);
      if ('errors' in parsed) {
        yield { line, error: parsed.errors.join('; ') };
        continue;
      }
      const earlier = firstLineByKey.addIfAbsent(rateKey(parsed.rate), line);
      if (earlier >= 0) {
        yield {
          line,
          error: `duplicate of line ${firstLineByKey.value(earlier)} (same prefix, direction, days, start_time, end_time and valid_from)`,
        };
        continue;
      }
      yield { line, rate: parsed.rate };
    }
    for (const row of skippedBefore(Infinity)) {
      yield row;
      if ('fileLevel' in row) return;
    }
  } catch (e) {
    // Whatever the parser still throws (e.g. a record over its size limit) ends the deck.
    if (!isCsvError(e)) throw e;
    yield { line: endLine + 1, error: `CSV syntax error: ${e.message}`, fileLevel: true };
    return;
  }

  if (columns === null) yield { line: 1, error: 'the file is empty: a header line is required', fileLevel: true };
  else if (dataRows === 0) yield { line: 1, error: 'the deck has no data rows', fileLevel: true };
}

export interface ValidateRateDeckOptions extends ParseRateDeckOptions {
  /** Errors kept in the report (all are counted in errorCount). Default 1000; Infinity keeps every one. */
  maxErrors?: number;
  /** Rates per onBatch call. Default 5000. */
  batchSize?: number;
  /**
   * Receives valid rates in order while the deck is still error-free, e.g. to stage them in a
   * transaction. Awaited before reading on (backpressure). Once any row fails no further batches are
   * delivered, since the deck will be rejected as a whole: the caller must apply nothing unless the
   * final report has errorCount 0.
   */
  onBatch?: (rates: RateDefinition[], firstLine: number) => void | Promise<void>;
}

export interface RateDeckReport {
  /** Data rows read (good and bad), header and blank lines excluded. */
  rows: number;
  /** The first `maxErrors` errors, in line order. */
  errors: DeckError[];
  /** All errors, including those beyond maxErrors. */
  errorCount: number;
}

/** Validates a whole deck in one streaming pass, optionally handing the rates over in batches. */
export async function validateRateDeck(
  input: Readable | AsyncIterable<string | Buffer>,
  opts: ValidateRateDeckOptions = {},
): Promise<RateDeckReport> {
  const maxErrors = opts.maxErrors ?? DEFAULT_MAX_ERRORS;
  const batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_SIZE);
  const errors: DeckError[] = [];
  let errorCount = 0;
  let rows = 0;
  let batch: RateDefinition[] = [];
  let batchLine = 0;

  for await (const row of parseRateDeck(input, { keyHash: opts.keyHash })) {
    if ('error' in row) {
      errorCount++;
      if (errors.length < maxErrors) errors.push({ line: row.line, message: row.error });
      batch = [];
      if (!row.fileLevel) rows++;
      continue;
    }
    rows++;
    if (!opts.onBatch || errorCount > 0) continue;
    if (batch.length === 0) batchLine = row.line;
    batch.push(row.rate);
    if (batch.length >= batchSize) {
      await opts.onBatch(batch, batchLine);
      batch = [];
    }
  }
  if (opts.onBatch && errorCount === 0 && batch.length > 0) await opts.onBatch(batch, batchLine);
  return { rows, errors, errorCount };
}

// ---------------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------------

/** One rate as deck text, in the form the importer reads back to the same RateDefinition. */
export function rateToFields(rate: RateDefinition): Record<DeckColumn, string> {
  return {
    prefix: rate.prefix,
    destination: rate.destination,
    connect_fee: rate.connectFee.toString(),
    included_seconds: String(rate.includedSeconds),
    per_minute: rate.perMinute.toString(),
    first_block: String(rate.firstBlock),
    increment: String(rate.increment),
    minimum_charge: rate.minimumCharge.toString(),
    direction: rate.direction,
    per_message: rate.perMessage.toString(),
    days: rate.days ?? '',
    start_time: rate.startTime ?? '',
    end_time: rate.endTime ?? '',
    priority: String(rate.priority),
    // UTC with milliseconds: exact, and it reads back as the same instant.
    valid_from: rate.validFrom?.toISOString() ?? '',
    valid_until: rate.validUntil?.toISOString() ?? '',
  };
}

/**
 * Writes rates as a deck with the full header (optional columns included) to `out`, with
 * backpressure, and ends `out`. An export imports back unchanged.
 */
export async function writeRateDeck(rates: Iterable<RateDefinition> | AsyncIterable<RateDefinition>, out: Writable): Promise<void> {
  async function* records() {
    for await (const rate of rates) yield rateToFields(rate);
  }
  await pipeline(Readable.from(records()), stringify({ header: true, columns: [...DECK_COLUMNS] }), out);
}
