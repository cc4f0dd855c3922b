import { Money, MoneyRangeError } from '../../shared/money';
import { MAX_PREFIX_LENGTH, PrefixIndex } from './domain/prefix-index';
import { CompactDeck } from './rate-index-cache';
import { rateFromRaw, type StoredRate } from './rates.repository';

const raw = (o: Record<string, unknown>) => ({
  id: 1,
  deck_id: 7,
  plan_id: 3,
  prefix: '49',
  destination: 'Germany',
  direction: 'outbound',
  connect_fee: '0',
  included_seconds: 0,
  per_minute: '0',
  first_block: 1,
  increment: 1,
  minimum_charge: '0',
  per_message: '0',
  days: null,
  start_time: null,
  end_time: null,
  priority: 0,
  valid_from: null,
  valid_until: null,
  ...o,
});

describe('CompactDeck', () => {
  it('gives back every field exactly as stored (both drivers’ raw shapes)', () => {
    const deck = new CompactDeck(7, 1);
    deck.add(
      raw({
        id: '9007199254740991',
        prefix: '4930',
        destination: 'Berlin, "Mitte" ü',
        direction: 'inbound',
        connect_fee: '12345',
        included_seconds: '30',
        per_minute: 9007199254740991,
        first_block: 30,
        increment: 6,
        minimum_charge: '500000',
        per_message: '-1',
        days: '15',
        start_time: '22:00',
        end_time: '06:00',
        priority: -2,
        valid_from: '2026-01-01 00:00:00.000',
        valid_until: new Date('2026-07-01T12:34:56.789Z'),
      }),
    );
    deck.add(raw({ id: 2, prefix: '49', end_time: '24:00', start_time: '00:00' }));
    deck.seal();
    const [berlin] = deck.candidates('4930123', 'inbound')[0];
    expect(berlin).toEqual({
      id: 9007199254740991,
      deckId: 7,
      prefix: '4930',
      destination: 'Berlin, "Mitte" ü',
      direction: 'inbound',
      connectFee: Money.of('0.012345'),
      includedSeconds: 30,
      perMinute: Money.of('9007199254.740991'),
      firstBlock: 30,
      increment: 6,
      minimumCharge: Money.of('0.5'),
      perMessage: Money.of('-0.000001'),
      days: '15',
      startTime: '22:00',
      endTime: '06:00',
      priority: -2,
      validFrom: new Date('2026-01-01T00:00:00Z'),
      validUntil: new Date('2026-07-01T12:34:56.789Z'),
    });
    const [germany] = deck.candidates('4930123', 'outbound')[0];
    expect(germany).toMatchObject({ prefix: '49', startTime: '00:00', endTime: '24:00', days: null, validFrom: null, validUntil: null });
  });

  it('groups candidates by prefix, longest first, filtered by direction; grows past its first capacity', () => {
    const deck = new CompactDeck(1, 1);
    let id = 1;
    for (const [prefix, direction] of [
      ['4', 'outbound'],
      ['49', 'outbound'],
      ['49', 'outbound'],
      ['493', 'inbound'],
      ['4930', 'outbound'],
    ])
      deck.add(raw({ id: id++, prefix, direction, days: prefix === '49' && id === 3 ? '67' : null }));
    deck.seal();
    expect(deck.size).toBe(5);
    expect(deck.candidates('4930555', 'outbound').map((g) => g.map((r) => r.id))).toEqual([[5], [2, 3], [1]]);
    expect(deck.candidates('4930555', 'inbound').map((g) => g.map((r) => r.id))).toEqual([[4]]);
    expect(deck.candidates('33', 'outbound')).toEqual([]);
    expect(deck.candidates('+49', 'outbound')).toEqual([]);
  });
});

describe('CompactDeck against the plain index', () => {
  let seed = 777;
  const rnd = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(rnd() * 10))).join('');

  function randomRaw(id: number, prefix: string) {
    const micros = () => String(rnd() < 0.5 ? Math.floor(rnd() * 100) * 1000 : Math.floor((rnd() - 0.3) * 2 ** 40));
    return raw({
      id,
      prefix,
      destination: `D${Math.floor(rnd() * 50)}`,
      direction: rnd() < 0.3 ? 'inbound' : 'outbound',
      connect_fee: micros(),
      per_minute: micros(),
      minimum_charge: micros(),
      per_message: micros(),
      included_seconds: Math.floor(rnd() * 60),
      first_block: 1 + Math.floor(rnd() * 60),
      increment: 1 + Math.floor(rnd() * 60),
      priority: Math.floor(rnd() * 5) - 2,
      days: rnd() < 0.5 ? null : '135',
      start_time: rnd() < 0.5 ? null : '08:00',
      end_time: rnd() < 0.5 ? null : '24:00',
      valid_from: rnd() < 0.5 ? null : '2026-01-01 00:00:00.000',
      valid_until: rnd() < 0.5 ? null : new Date('2027-01-01T00:00:00Z'),
    });
  }

  it('gives the same candidates as a PrefixIndex of plain rates, in any insertion order and after adding past seal()', () => {
    // Prefixes share stems (so groups nest) and repeat (several rates per prefix, added apart from each other).
    const stems = Array.from({ length: 40 }, () => digits(1 + Math.floor(rnd() * 3)));
    const prefixes = Array.from({ length: 3000 }, () => {
      const stem = stems[Math.floor(rnd() * stems.length)];
      return rnd() < 0.05 ? stem : stem + digits(Math.floor(rnd() * 8));
    });
    prefixes.push('1'.repeat(MAX_PREFIX_LENGTH));
    const deck = new CompactDeck(5, 10);
    const plain = new PrefixIndex<StoredRate>();
    const rows = prefixes.map((p, i) => randomRaw(i + 1, p));
    const addBoth = (r: ReturnType<typeof raw>) => {
      deck.add(r);
      plain.add(String(r.prefix), rateFromRaw({ ...r, deck_id: 5 }));
    };
    rows.slice(0, 2500).forEach(addBoth);
    deck.seal();
    rows.slice(2500).forEach(addBoth); // new nodes and longer chains after the depth-first renumbering
    expect(deck.size).toBe(rows.length);

    const numbers = [
      ...prefixes.slice(0, 500).map((p) => p + digits(4)),
      ...Array.from({ length: 500 }, () => digits(1 + Math.floor(rnd() * 14))),
      '1'.repeat(MAX_PREFIX_LENGTH + 5),
      `${prefixes[0]}#`,
      '',
    ];
    // Compared as JSON (Money as its decimal text, dates as ISO), every field of every candidate.
    const got: string[] = [];
    const want: string[] = [];
    for (const number of numbers) {
      for (const direction of ['outbound', 'inbound'] as const) {
        const expected = plain
          .matches(number)
          .map((group) => group.filter((r) => r.direction === direction))
          .filter((group) => group.length > 0);
        want.push(`${number} ${direction} ${JSON.stringify(expected)}`);
        got.push(`${number} ${direction} ${JSON.stringify(deck.candidates(number, direction))}`);
      }
    }
    expect(want.filter((w) => w.includes('"id"')).length).toBeGreaterThan(1000);
    expect(got).toEqual(want);
    // And once deeply, Money and Date objects included.
    expect(deck.candidates(`${prefixes[1]}0`, 'outbound')).toEqual(
      plain
        .matches(`${prefixes[1]}0`)
        .map((group) => group.filter((r) => r.direction === 'outbound'))
        .filter((group) => group.length > 0),
    );
  });

  it('builds the same Money values as Money.fromMicros for many distinct amounts (more than its cache holds), twice', () => {
    const deck = new CompactDeck(1, 1);
    const amounts: number[] = [];
    for (let i = 0; i < 70_000; i++) amounts.push(Math.floor((rnd() - 0.5) * 2 * Number.MAX_SAFE_INTEGER));
    amounts.push(0, -0, 1, -1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 32, 2 ** 32 + 1);
    amounts.forEach((m, i) => deck.add(raw({ id: i + 1, prefix: `9${i}`, per_minute: m, connect_fee: String(m) })));
    deck.seal();
    const wrong: string[] = [];
    for (let pass = 0; pass < 2; pass++) {
      amounts.forEach((m, i) => {
        const [[rate]] = deck.candidates(`9${i}`, 'outbound');
        const want = Money.fromMicros(m).toString();
        if (rate.perMinute.toString() !== want || rate.connectFee.toString() !== want) wrong.push(`${m}: ${rate.perMinute.toString()}`);
      });
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('refuses what it refused before: a bad prefix (and keeps nothing of that row), money beyond 2^53', () => {
    const deck = new CompactDeck(1, 1);
    for (const prefix of ['', '4a', '1'.repeat(MAX_PREFIX_LENGTH + 1)]) expect(() => deck.add(raw({ prefix }))).toThrow(RangeError);
    expect(deck.size).toBe(0);
    deck.add(raw({ prefix: '1', per_minute: '9007199254740993' }));
    expect(() => deck.candidates('1', 'outbound')).toThrow(MoneyRangeError);
    expect(deck.candidates('1', 'sideways' as never)).toEqual([]);
  });

  it('can be sealed empty and still take rates', () => {
    const deck = new CompactDeck(1, 0);
    deck.seal();
    for (let i = 0; i < 40; i++) deck.add(raw({ id: i + 1, prefix: '44' }));
    expect(deck.candidates('441', 'outbound')[0].map((r) => r.id)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});
