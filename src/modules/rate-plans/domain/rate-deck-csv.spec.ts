import { Readable, Writable } from 'node:stream';
import { Money } from '../../../shared/money';
import { RateDefinition } from './rate';
import {
  DECK_COLUMNS,
  DeckRow,
  parseRateDeck,
  RateDeckReport,
  validateRateDeck,
  ValidateRateDeckOptions,
  writeRateDeck,
} from './rate-deck-csv';
import { makeRate } from './test-rates';

const HEADER = 'prefix,destination,connect_fee,included_seconds,per_minute,first_block,increment,minimum_charge,direction';
const GOOD = '49,Germany,0.10,0,1.20,60,60,0.00,outbound';

const validate = (text: string, opts?: ValidateRateDeckOptions): Promise<RateDeckReport> => validateRateDeck(Readable.from([text]), opts);

async function rowsOf(text: string | string[]): Promise<DeckRow[]> {
  const out: DeckRow[] = [];
  for await (const row of parseRateDeck(Readable.from(Array.isArray(text) ? text : [text]))) out.push(row);
  return out;
}

async function ratesOf(text: string): Promise<RateDefinition[]> {
  const rows = await rowsOf(text);
  const bad = rows.filter((r) => 'error' in r);
  if (bad.length > 0) throw new Error(JSON.stringify(bad));
  return rows.map((r) => ('rate' in r ? r.rate : (undefined as never)));
}

/** Validates a deck of the header plus `rows` and returns its errors. */
async function errorsOf(header: string, ...rows: string[]) {
  return (await validate([header, ...rows].join('\n') + '\n', { maxErrors: Infinity })).errors;
}

/** One data row (line 2) with `column` set to `value`, in a deck with every column. */
async function fieldError(column: string, value: string) {
  const fields: Record<string, string> = {
    prefix: '49',
    destination: 'Germany',
    connect_fee: '0.10',
    included_seconds: '0',
    per_minute: '1.20',
    first_block: '60',
    increment: '60',
    minimum_charge: '0',
    direction: 'outbound',
    per_message: '0.05',
    days: '',
    start_time: '',
    end_time: '',
    priority: '0',
    valid_from: '',
    valid_until: '',
    [column]: value,
  };
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const errors = await errorsOf(DECK_COLUMNS.join(','), DECK_COLUMNS.map((c) => quote(fields[c])).join(','));
  return errors;
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

async function exportText(rates: Iterable<RateDefinition> | AsyncIterable<RateDefinition>): Promise<string> {
  const out = new Collect();
  await writeRateDeck(rates, out);
  return out.text;
}

describe('parseRateDeck: good decks', () => {
  it('reads a minimal deck', async () => {
    const [rate] = await ratesOf(`${HEADER}\n${GOOD}\n`);
    expect(rate.prefix).toBe('49');
    expect(rate.destination).toBe('Germany');
    expect(rate.connectFee.toString()).toBe('0.10');
    expect(rate.perMinute.toString()).toBe('1.20');
    expect([rate.includedSeconds, rate.firstBlock, rate.increment]).toEqual([0, 60, 60]);
    expect(rate.minimumCharge.isZero()).toBe(true);
    expect(rate.perMessage.isZero()).toBe(true);
    expect(rate.direction).toBe('outbound');
    expect([rate.days, rate.startTime, rate.endTime, rate.priority, rate.validFrom, rate.validUntil]).toEqual([
      null,
      null,
      null,
      0,
      null,
      null,
    ]);
  });

  it('accepts required and optional columns in any order, header case and spaces ignored', async () => {
    const header =
      'Valid_From, direction ,priority,increment,first_block,per_minute,minimum_charge,connect_fee,included_seconds,destination,prefix,DAYS,per_message';
    const [rate] = await ratesOf(`${header}\n2026-01-01,inbound,5,6,30,0.5,0.01,0,10,Berlin,4930,51,0.07\n`);
    expect(rate).toMatchObject({
      prefix: '4930',
      destination: 'Berlin',
      direction: 'inbound',
      priority: 5,
      increment: 6,
      firstBlock: 30,
      includedSeconds: 10,
      days: '15',
    });
    expect(rate.perMinute.toString()).toBe('0.50');
    expect(rate.perMessage.toString()).toBe('0.07');
    expect(rate.validFrom?.toISOString()).toBe('2026-01-01T00:00:00.000Z'); // plain date = midnight UTC
  });

  it('reads empty direction as outbound and trims fields', async () => {
    const [a, b] = await ratesOf(`${HEADER}\n49,Germany,0.10,0,1.20,60,60,0.00,\n 44 , UK ,0.1 , 0,1,1,1,0,Inbound\n`);
    expect(a.direction).toBe('outbound');
    expect(b).toMatchObject({ prefix: '44', destination: 'UK', direction: 'inbound' });
  });

  it('reads times, dates with offsets and end 24:00', async () => {
    const header = `${HEADER},start_time,end_time,valid_from,valid_until`;
    const [r] = await ratesOf(`${header}\n49,Germany,0,0,1,1,1,0,outbound,22:00,24:00,2026-01-01T01:00:00+02:00,2026-06-01T00:00:00.5Z\n`);
    expect([r.startTime, r.endTime]).toEqual(['22:00', '24:00']);
    expect(r.validFrom?.toISOString()).toBe('2025-12-31T23:00:00.000Z');
    expect(r.validUntil?.toISOString()).toBe('2026-06-01T00:00:00.500Z');
  });

  it('handles a BOM, CRLF and quoted fields', async () => {
    const rates = await ratesOf(`\uFEFF${HEADER}\r\n4930,"Berlin, ""city""",0,0,1,1,1,0,outbound\r\n`);
    expect(rates[0].destination).toBe('Berlin, "city"');
  });
});

describe('parseRateDeck: line numbers', () => {
  it('counts the header as line 1 and blank lines as lines', async () => {
    const rows = await rowsOf(
      `${HEADER}\n${GOOD}\n\nx,Bad,0,0,1,1,1,0,outbound\n\n\n44,UK,0,0,1,1,1,0,outbound\ny,Bad,0,0,1,1,1,0,outbound`,
    );
    expect(rows.map((r) => [r.line, 'error' in r])).toEqual([
      [2, false],
      [4, true],
      [7, false],
      [8, true],
    ]);
  });

  it('counts CRLF lines the same way', async () => {
    const rows = await rowsOf(`${HEADER}\r\n${GOOD}\r\n\r\nx,Bad,0,0,1,1,1,0,outbound\r\n`);
    expect(rows.map((r) => r.line)).toEqual([2, 4]);
  });

  it('reports a multi-line quoted field on its first line and keeps counting after it', async () => {
    const rows = await rowsOf(`${HEADER}\n${GOOD}\n44,"United\nKingdom",0,0,1,1,1,0,outbound\nx,Bad,0,0,1,1,1,0,outbound\n`);
    expect(rows.map((r) => [r.line, 'error' in r ? r.error : 'ok'])).toEqual([
      [2, 'ok'],
      [3, 'destination: must not contain control characters or line breaks'],
      [5, expect.stringContaining('prefix')],
    ]);
  });

  it('works when the input arrives in small chunks', async () => {
    const text = `${HEADER}\n${GOOD}\n\nx,Bad,0,0,1,1,1,0,outbound\n`;
    const chunks = text.match(/.{1,7}/gs) ?? [];
    const rows = await rowsOf(chunks);
    expect(rows.map((r) => r.line)).toEqual([2, 4]);
  });
});

describe('validateRateDeck: header and deck errors', () => {
  it('reports an unknown column on line 1', async () => {
    const { errors } = await validate(`${HEADER},colour\n${GOOD},red\n`);
    expect(errors).toEqual([{ line: 1, message: expect.stringContaining('unknown column(s): "colour"') }]);
  });

  it('reports missing required columns on line 1', async () => {
    const { errors } = await validate('prefix,destination,connect_fee\n49,Germany,0.1\n');
    expect(errors).toHaveLength(1);
    expect(errors[0].line).toBe(1);
    expect(errors[0].message).toContain(
      'missing required column(s): included_seconds, per_minute, first_block, increment, minimum_charge, direction',
    );
  });

  it('reports a repeated column on line 1', async () => {
    const { errors } = await validate(`${HEADER},prefix\n${GOOD},49\n`);
    expect(errors).toEqual([{ line: 1, message: expect.stringContaining('repeated column(s): prefix') }]);
  });

  it('reports an empty file and a deck without data rows', async () => {
    expect(await validate('')).toEqual({ rows: 0, errorCount: 1, errors: [{ line: 1, message: expect.stringContaining('header') }] });
    expect(await validate(`${HEADER}\n\n\n`)).toEqual({
      rows: 0,
      errorCount: 1,
      errors: [{ line: 1, message: 'the deck has no data rows' }],
    });
  });

  it('reports a row with the wrong number of fields', async () => {
    expect(await errorsOf(HEADER, GOOD, '44,UK,0,0,1', `${GOOD},extra`)).toEqual([
      { line: 3, message: 'expected 9 fields as in the header, found 5' },
      { line: 4, message: 'expected 9 fields as in the header, found 10' },
    ]);
  });

  it('reports an unclosed quote on the line where it opens, after the rows before it', async () => {
    const report = await validate(
      `${HEADER}\nx,Bad,0,0,1,1,1,0,outbound\n${GOOD}\n44,"UK,0,0,1,1,1,0,outbound\n33,France,0,0,1,1,1,0,outbound\n`,
    );
    expect(report.errors).toEqual([
      { line: 2, message: expect.stringContaining('prefix') },
      { line: 4, message: expect.stringContaining('CSV syntax error') },
    ]);
    expect(report.rows).toBe(3);
  });

  it('reports an unclosed quote in the header on line 1', async () => {
    const report = await validate(`prefix,"destination\n${GOOD}\n`);
    expect(report).toEqual({
      rows: 0,
      errorCount: 1,
      errors: [{ line: 1, message: expect.stringContaining('CSV syntax error in the header') }],
    });
  });
});

describe('validateRateDeck: field errors', () => {
  it.each([
    ['prefix', 'x49'],
    ['prefix', '+49'],
    ['prefix', ''],
    ['prefix', '1'.repeat(21)],
    ['prefix', '4 9'],
    ['destination', ''],
    ['destination', 'x'.repeat(101)],
    ['destination', 'tab\there'],
    ['destination', '=HYPERLINK("x")'],
    ['destination', '@SUM(1)'],
    ['connect_fee', '1e2'],
    ['connect_fee', '0.1234567'],
    ['connect_fee', '-0.10'],
    ['connect_fee', ''],
    ['connect_fee', '1,20'],
    ['per_minute', 'abc'],
    ['per_minute', '+1.20'],
    ['per_minute', '.5'],
    ['minimum_charge', '-1'],
    ['minimum_charge', 'NaN'],
    ['per_message', '-0.01'],
    ['per_message', 'Infinity'],
    ['included_seconds', '-1'],
    ['included_seconds', '1.5'],
    ['included_seconds', ''],
    ['first_block', 'sixty'],
    ['increment', '0'],
    ['increment', ''],
    ['increment', '6.0'],
    ['direction', 'both'],
    ['direction', 'out'],
    ['days', '8'],
    ['days', '0'],
    ['days', '11'],
    ['days', '1,2'],
    ['days', '12345678'],
    ['start_time', '25:00'],
    ['start_time', '24:00'],
    ['start_time', '8:00'],
    ['start_time', '12:60'],
    ['start_time', '08:00:00'],
    ['end_time', '24:01'],
    ['end_time', 'noon'],
    ['priority', '1.5'],
    ['priority', 'high'],
    ['valid_from', '2026-02-30'],
    ['valid_from', '2026-01-01T00:00:00'],
    ['valid_from', '01/02/2026'],
    ['valid_from', '2026-13-01'],
    ['valid_until', '2026-01-01 00:00:00Z'],
    ['valid_until', 'tomorrow'],
  ])('%s = %j is reported on line 2', async (column, value) => {
    const errors = await fieldError(column, value);
    expect(errors).toEqual([{ line: 2, message: expect.stringContaining(`${column}: `) }]);
  });

  it.each([
    ['destination', 'x'.repeat(100)],
    ['destination', 'ü'.repeat(100)], // characters, not bytes
    ['connect_fee', '0.123456'],
    ['connect_fee', '0'],
    ['connect_fee', '-0'],
    ['per_message', ''],
    ['priority', '-3'],
    ['priority', ''],
    ['end_time', '24:00'],
    ['days', '7654321'],
    ['valid_from', '2026-01-01T00:00Z'],
    ['valid_from', '2026-01-01T00:00:00.123-05:00'],
  ])('%s = %j is accepted', async (column, value) => {
    expect(await fieldError(column, value)).toEqual([]);
  });

  it('reports equal start and end times', async () => {
    const header = `${HEADER},start_time,end_time`;
    expect(await errorsOf(header, `${GOOD},08:00,08:00`)).toEqual([{ line: 2, message: 'end_time: must differ from start_time' }]);
    expect(await errorsOf(header, `${GOOD},00:00,24:00`, '44,UK,0,0,1,1,1,0,,00:00,00:00')).toEqual([]);
  });

  it('reports valid_until not after valid_from', async () => {
    const header = `${HEADER},valid_from,valid_until`;
    expect(await errorsOf(header, `${GOOD},2026-02-01,2026-02-01`, `44,UK,0,0,1,1,1,0,,2026-02-01,2026-01-31T23:59:59Z`)).toEqual([
      { line: 2, message: 'valid_until: must be after valid_from' },
      { line: 3, message: 'valid_until: must be after valid_from' },
    ]);
    expect(await errorsOf(header, `${GOOD},2026-02-01,2026-02-01T00:00:01+00:00`)).toEqual([]);
  });

  it('reports dates outside the years both databases store (1000 to 9999)', async () => {
    const header = `${HEADER},valid_from,valid_until`;
    const errors = await errorsOf(header, `${GOOD},0000-01-01,`, `44,UK,0,0,1,1,1,0,,,0999-12-31T23:59:59Z`);
    expect(errors.map((e) => [e.line, e.message.split(':')[0]])).toEqual([
      [2, 'valid_from'],
      [3, 'valid_until'],
    ]);
    expect(await errorsOf(header, `${GOOD},1000-01-01,9999-12-31`)).toEqual([]);
  });

  it('reports every problem of a row in one error', async () => {
    const errors = await errorsOf(HEADER, 'x,,abc,0,1,1,0,0,sideways');
    expect(errors).toHaveLength(1);
    expect(errors[0].line).toBe(2);
    for (const column of ['prefix', 'destination', 'connect_fee', 'increment', 'direction']) {
      expect(errors[0].message).toContain(`${column}: `);
    }
  });
});

describe('validateRateDeck: duplicates', () => {
  const header = `${HEADER},days,start_time,end_time,valid_from`;

  it('reports a duplicate with the earlier line', async () => {
    const errors = await errorsOf(header, `${GOOD},,,,`, '44,UK,0,0,1,1,1,0,,,,,', '49,Germany again,0,0,2,1,1,0,outbound,,,,');
    expect(errors).toEqual([{ line: 4, message: expect.stringContaining('duplicate of line 2') }]);
  });

  it('compares days, bands and dates by meaning, not spelling', async () => {
    const errors = await errorsOf(
      header,
      '49,A,0,0,1,1,1,0,outbound,15,08:00,00:00,2026-01-01',
      '49,B,0,0,1,1,1,0,,51,08:00,24:00,2026-01-01T00:00:00Z',
      '49,C,0,0,1,1,1,0,outbound,1234567,,,',
      '49,D,0,0,1,1,1,0,outbound,,00:00,,',
    );
    expect(errors).toEqual([
      { line: 3, message: expect.stringContaining('duplicate of line 2') },
      { line: 5, message: expect.stringContaining('duplicate of line 4') },
    ]);
  });

  it('does not confuse rates differing in direction, days, band or valid_from', async () => {
    const errors = await errorsOf(
      header,
      '49,A,0,0,1,1,1,0,outbound,,,,',
      '49,B,0,0,1,1,1,0,inbound,,,,',
      '49,C,0,0,1,1,1,0,outbound,67,,,',
      '49,D,0,0,1,1,1,0,outbound,,08:00,18:00,',
      '49,E,0,0,1,1,1,0,outbound,,,,2026-01-01',
      '491,F,0,0,1,1,1,0,outbound,,,,',
    );
    expect(errors).toEqual([]);
  });
});

describe('validateRateDeck: duplicates when every key hashes alike', () => {
  // The duplicate check keeps hashed keys; a hash collision must cost time, never a false error.
  const header = `${HEADER},days,start_time,end_time,valid_from`;
  const rows = [
    '49,A,0,0,1,1,1,0,outbound,,,,',
    '49,B,0,0,1,1,1,0,inbound,,,,',
    '49,C,0,0,1,1,1,0,outbound,67,,,',
    '49,D,0,0,1,1,1,0,outbound,,08:00,18:00,',
    '49,E,0,0,1,1,1,0,outbound,,,,2026-01-01',
    '491,F,0,0,1,1,1,0,outbound,,,,',
    '4,G,0,0,1,1,1,0,outbound,,,,',
    '49,H,0,0,1,1,1,0,,76,,,', // = line 4
    '491,I,0,0,1,1,1,0,outbound,,00:00,24:00,', // = line 7
    '49,J,0,0,1,1,1,0,outbound,,,,2026-01-01T00:00:00Z', // = line 6
    '94,K,0,0,1,1,1,0,outbound,,,,',
  ];
  const deck = [header, ...rows].join('\n');

  it.each<[string, (bytes: Uint8Array, start: number, end: number) => number]>([
    ['a constant hash', () => 0],
    ['a hash of the length', (_b, start, end) => end - start],
  ])('reports exactly the real duplicates with %s', async (_name, keyHash) => {
    const expected = [
      { line: 9, message: expect.stringContaining('duplicate of line 4') },
      { line: 10, message: expect.stringContaining('duplicate of line 7') },
      { line: 11, message: expect.stringContaining('duplicate of line 6') },
    ];
    expect((await validateRateDeck(Readable.from([deck]), { keyHash, maxErrors: Infinity })).errors).toEqual(expected);
    expect((await validate(deck, { maxErrors: Infinity })).errors).toEqual(expected);
  });

  it('finds no duplicate among 20,000 distinct rows that all collide', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 20_000; i++) lines.push(`${1000 + (i >> 1)},Dest,0,0,1,1,1,0,${i % 2 ? 'inbound' : 'outbound'}`);
    lines.push('1000,Again,0,0,1,1,1,0,inbound');
    const report = await validateRateDeck(Readable.from([lines.join('\n')]), { keyHash: () => 1 });
    expect(report.rows).toBe(20_001);
    expect(report.errors).toEqual([{ line: 20_002, message: expect.stringContaining('duplicate of line 3') }]);
  }, 60_000);
});

describe('validateRateDeck: limits and batches', () => {
  const deckWith = (n: number, badLines: number[] = []) => {
    const lines = [HEADER];
    for (let i = 0; i < n; i++) {
      const line = i + 2;
      lines.push(`${badLines.includes(line) ? 'bad' : 1000 + i},Dest ${i},0.01,0,0.5,1,1,0,outbound`);
    }
    return lines.join('\n');
  };

  it('keeps maxErrors errors but counts them all', async () => {
    const report = await validate(deckWith(10, [3, 5, 7, 9]), { maxErrors: 2 });
    expect(report.rows).toBe(10);
    expect(report.errorCount).toBe(4);
    expect(report.errors.map((e) => e.line)).toEqual([3, 5]);
  });

  it('hands over rates in batches with their first line', async () => {
    const batches: [number, number][] = [];
    const report = await validate(deckWith(12), {
      batchSize: 5,
      onBatch: async (rates, firstLine) => {
        await new Promise((r) => setImmediate(r));
        batches.push([rates.length, firstLine]);
      },
    });
    expect(report).toEqual({ rows: 12, errors: [], errorCount: 0 });
    expect(batches).toEqual([
      [5, 2],
      [5, 7],
      [2, 12],
    ]);
  });

  it('stops handing over batches once a row is bad', async () => {
    const batches: number[] = [];
    const report = await validate(deckWith(12, [9]), { batchSize: 5, onBatch: (rates) => void batches.push(rates.length) });
    expect(report.errorCount).toBe(1);
    expect(batches).toEqual([5]);
  });

  it('validates a generated 100,000-row deck', async () => {
    const n = 100_000;
    async function* generate() {
      yield `${DECK_COLUMNS.join(',')}\n`;
      let chunk = '';
      for (let i = 0; i < n; i++) {
        const inbound = i % 2 === 1;
        const prefix = String(10_000_000 + Math.floor(i / 2));
        chunk += `${prefix},"Destination ${i}, mobile",0.0${i % 10},${i % 3 ? 0 : 30},0.${String(i % 1000).padStart(3, '0')}123,${i % 4 ? 1 : 60},${i % 4 ? 1 : 60},0.01,${inbound ? 'inbound' : 'outbound'},0.05,${i % 5 ? '' : '12345'},${i % 5 ? '' : '08:00'},${i % 5 ? '' : '18:00'},${i % 7},${i % 11 ? '' : '2026-01-01'},\n`;
        if (chunk.length > 64_000) {
          yield chunk;
          chunk = '';
        }
      }
      yield chunk;
    }
    let received = 0;
    let batches = 0;
    const report = await validateRateDeck(Readable.from(generate()), {
      onBatch: (rates) => {
        received += rates.length;
        batches++;
      },
    });
    expect(report.errors).toEqual([]);
    expect(report.rows).toBe(n);
    expect(received).toBe(n);
    expect(batches).toBe(20);
  }, 60_000);
});

describe('writeRateDeck', () => {
  const rates: RateDefinition[] = [
    makeRate({ prefix: '49', destination: 'Germany', connectFee: '0.10', perMinute: '1.20', firstBlock: 60, increment: 60 }),
    makeRate({
      prefix: '4930',
      destination: 'Berlin, "Mitte" – Mobilfunk ü',
      direction: 'inbound',
      connectFee: '0.012345',
      includedSeconds: 30,
      perMinute: '0.000001',
      firstBlock: 30,
      increment: 6,
      minimumCharge: '0.5',
      perMessage: '0.09',
      days: '12345',
      startTime: '22:00',
      endTime: '06:00',
      priority: -2,
      validFrom: new Date('2026-01-01T00:00:00Z'),
      validUntil: new Date('2026-07-01T12:34:56.789Z'),
    }),
    makeRate({ prefix: '1', destination: 'NANP', endTime: '24:00', perMinute: Money.of('9007199254.740991') }),
  ];

  it('writes the full header', async () => {
    const text = await exportText([]);
    expect(text).toBe(`${DECK_COLUMNS.join(',')}\n`);
    expect(DECK_COLUMNS.join(',')).toBe(`${HEADER},per_message,days,start_time,end_time,priority,valid_from,valid_until`);
  });

  it('writes money exactly', async () => {
    const text = await exportText(rates.slice(0, 1));
    expect(text.split('\n')[1]).toBe('49,Germany,0.10,0,1.20,60,60,0.00,outbound,0.00,,,,0,,');
  });

  it('round-trips: an export imports back to the same rates, and exports again identically', async () => {
    async function* fromDb() {
      yield* rates;
    }
    const text = await exportText(fromDb());
    const imported = await ratesOf(text);
    expect(imported).toEqual(rates);
    expect(await exportText(imported)).toBe(text);
    expect((await validate(text)).errorCount).toBe(0);
  });

  it('round-trips an imported deck', async () => {
    const source = `${DECK_COLUMNS.join(',')}\n4930,Berlin,0.1,5,1.2,30,6,0.5,inbound,0.07,51,08:00,18:00,3,2026-01-01,2026-02-01T10:00:00+01:00\n`;
    const first = await ratesOf(source);
    const second = await ratesOf(await exportText(first));
    expect(second).toEqual(first);
  });
});
