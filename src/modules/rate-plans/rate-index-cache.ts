import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { Money } from '../../shared/money';
import { MAX_PREFIX_LENGTH } from './domain/prefix-index';
import type { Direction } from './domain/rate';
import { RatesRepository, type RawRate, type StoredRate } from './rates.repository';
import { readInstant, readInt } from './sql-values';

const NONE = -1;
const GROWTH = 1.5;

function minutesOf(text: unknown): number {
  if (text === null || text === undefined) return NONE;
  const m = /^(\d\d):(\d\d)$/.exec(String(text));
  return m ? Number(m[1]) * 60 + Number(m[2]) : NONE;
}
const hhmmText = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
/** "HH:MM" of every minute 0..1440 (1440 = "24:00"), made once: a lookup builds candidates by the dozen. */
const HHMM: readonly string[] = Array.from({ length: 1441 }, (_, m) => hhmmText(m));
const hhmm = (minutes: number): string | null => (minutes === NONE ? null : (HHMM[minutes] ?? hhmmText(minutes)));

const DAYS_SET = 1 << 8;
const DAYS_MASK = 0x1fe;
/** The days text for each value of the flags' bits 1-8 (bits 1-7 Monday..Sunday, bit 8: days set), in digit order. */
const DAYS_BY_FLAGS: readonly (string | null)[] = Array.from({ length: 512 }, (_, f) => {
  if (!(f & DAYS_SET)) return null;
  let days = '';
  for (let d = 1; d <= 7; d++) if (f & (1 << d)) days += String(d);
  return days;
});

/**
 * Money values by micro-units, shared by all decks: building one is a decimal.js division, and a lookup
 * returns four per candidate rate. Decks repeat a few hundred to a few thousand distinct prices, so a
 * small two-way set-associative cache (the least recently used of a set's two values is replaced)
 * answers nearly every request without a division, in bounded memory (1 MB of slots plus the Money
 * values in them). A deck with more distinct prices than that only gets slower, never different:
 * Money is immutable, and a cached value is the one `Money.fromMicros` would build.
 */
const MONEY_SET_BITS = 15;
const moneyKeys = new Float64Array(2 << MONEY_SET_BITS).fill(NaN);
const moneyValues = new Array<Money>(2 << MONEY_SET_BITS).fill(Money.ZERO);

function moneyFromMicros(micros: number): Money {
  // Not an exact integer: Money.fromMicros refuses it, as it always did; nothing is cached.
  if (!Number.isSafeInteger(micros)) return Money.fromMicros(micros);
  // Set from a multiplicative hash of the low 32 bits (a float modulo would cost more than the rest).
  const a = (Math.imul(micros | 0, 0x9e3779b1) >>> (32 - MONEY_SET_BITS)) << 1;
  if (moneyKeys[a] === micros) return moneyValues[a];
  const b = a + 1;
  const money = moneyKeys[b] === micros ? moneyValues[b] : Money.fromMicros(micros);
  moneyKeys[b] = moneyKeys[a];
  moneyValues[b] = moneyValues[a];
  moneyKeys[a] = micros;
  moneyValues[a] = money;
  return money;
}

/*
 * A deck row is one 88-byte record in one ArrayBuffer, read through typed views of different widths.
 * A 1M-rate deck is far larger than the CPU caches, so a lookup's time goes mostly into cache misses:
 * with the fields side by side a row costs one or two cache lines instead of one per column.
 *
 *   bytes  0..55  Float64 x7: id, connect fee, per minute, minimum charge, per message (micro-units,
 *                  integers < 2^53, exact in a double), valid from, valid until (ms; NaN = unbounded)
 *   bytes 56..71  Int32 x4:   included seconds, first block, increment, priority
 *   bytes 72..75  Int16 x2:   start and end of the time band in minutes (-1 = not set)
 *   bytes 76..77  Uint16:     flags: bit 0 inbound; bits 1-7 days Monday..Sunday; bit 8 days set
 *   bytes 80..83  Int32:      index of the destination name in `destinationNames`
 *   bytes 84..87  Int32:      next row with the same prefix, + 1 (0 = none)
 */
const ROW_BYTES = 88;
const F64_PER_ROW = ROW_BYTES / 8;
const I32_PER_ROW = ROW_BYTES / 4;
const I16_PER_ROW = ROW_BYTES / 2;
const F_ID = 0;
const F_MONEY = 1;
const F_VALID_FROM = 5;
const F_VALID_UNTIL = 6;
const I_INTS = 14;
const I_DESTINATION = 20;
const I_NEXT = 21;
const S_BAND = 36;
const S_FLAGS = 38;

/** Trie node: the child node per digit (0 = none; node 0 is the root), then the prefix's first row + 1. */
const NODE_INTS = 11;
const NODE_FIRST_ROW = 10;
const INITIAL_NODES = 1024;
const DIGITS = /^\d+$/;

/** Scratch for one lookup (lookups are synchronous): first row and length of each matching prefix. */
const matchedRows = new Int32Array(MAX_PREFIX_LENGTH);
const matchedLengths = new Int32Array(MAX_PREFIX_LENGTH);
/** Written so that the early reads of a lookup are not optimised away. */
let _prefetchSink = 0;

/**
 * One deck's rates in memory, one fixed-size binary record per rate (see above), under a digit trie.
 *
 * The trie is the domain PrefixIndex's (typed arrays, digits only, longest prefix first, a number with
 * any other character matches nothing), specialised for rows: a node holds its prefix's first row,
 * and the rows of a prefix are chained through their records, in the order they were added. A lookup
 * thus touches a trie node and the records, never a per-prefix JS array (one more cache miss per
 * prefix, and a million small objects for the garbage collector). A rate costs 88 bytes plus its share
 * of the trie (44 bytes per node); the prefix is not stored again, a lookup knows it. Measured on the
 * bench's 1M-prefix deck: ~210 MB outside the JS heap (2.75M trie nodes), against ~360 MB for
 * per-column arrays under a PrefixIndex. Full rate objects are made only for the rows a lookup matches.
 */
export class CompactDeck {
  private count = 0;
  private capacity = 0;
  private bytes: Uint8Array;
  private f64: Float64Array;
  private i32: Int32Array;
  private i16: Int16Array;
  private u16: Uint16Array;
  private nodes = new Int32Array(INITIAL_NODES * NODE_INTS);
  private nodeCount = 1;
  /** The trie node and row of the last add (a shortcut to the end of that prefix's chain). */
  private lastNode = -1;
  private lastRow = -1;
  private readonly destinationNames: string[] = [];
  private readonly destinationIds = new Map<string, number>();

  constructor(
    readonly deckId: number,
    capacity: number,
  ) {
    this.allocate(Math.max(16, capacity));
  }

  get size(): number {
    return this.count;
  }

  private allocate(capacity: number): void {
    const buffer = new ArrayBuffer(capacity * ROW_BYTES);
    const bytes = new Uint8Array(buffer);
    if (this.bytes) bytes.set(this.bytes.subarray(0, this.count * ROW_BYTES));
    this.bytes = bytes;
    this.f64 = new Float64Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.i16 = new Int16Array(buffer);
    this.u16 = new Uint16Array(buffer);
    this.capacity = capacity;
  }

  private resizeNodes(capacity: number): void {
    const nodes = new Int32Array(capacity * NODE_INTS);
    nodes.set(this.nodes.subarray(0, Math.min(this.nodes.length, capacity * NODE_INTS)));
    this.nodes = nodes;
  }

  add(r: RawRate): void {
    const prefix = String(r.prefix);
    if (prefix.length < 1 || prefix.length > MAX_PREFIX_LENGTH || !DIGITS.test(prefix)) {
      // An empty prefix would match every number; a deck must name its destinations.
      throw new RangeError(`prefix must be 1..${MAX_PREFIX_LENGTH} digits, got ${JSON.stringify(prefix)}`);
    }
    const i = this.count;
    if (i === this.capacity) this.allocate(Math.max(16, Math.ceil(this.capacity * GROWTH)));
    const f = i * F64_PER_ROW;
    this.f64[f + F_ID] = readInt(r.id);
    this.f64[f + F_MONEY] = microUnitsOf(r.connect_fee);
    this.f64[f + F_MONEY + 1] = microUnitsOf(r.per_minute);
    this.f64[f + F_MONEY + 2] = microUnitsOf(r.minimum_charge);
    this.f64[f + F_MONEY + 3] = microUnitsOf(r.per_message);
    this.f64[f + F_VALID_FROM] = readInstant(r.valid_from)?.getTime() ?? NaN;
    this.f64[f + F_VALID_UNTIL] = readInstant(r.valid_until)?.getTime() ?? NaN;
    const n = i * I32_PER_ROW;
    this.i32[n + I_INTS] = readInt(r.included_seconds);
    this.i32[n + I_INTS + 1] = readInt(r.first_block);
    this.i32[n + I_INTS + 2] = readInt(r.increment);
    this.i32[n + I_INTS + 3] = readInt(r.priority);
    const s = i * I16_PER_ROW;
    this.i16[s + S_BAND] = minutesOf(r.start_time);
    // "24:00" is kept as 1440 so that the text round-trips.
    this.i16[s + S_BAND + 1] = r.end_time === '24:00' ? 1440 : minutesOf(r.end_time);
    let flags = r.direction === 'inbound' ? 1 : 0;
    if (r.days !== null && r.days !== undefined) {
      flags |= DAYS_SET;
      for (const d of String(r.days)) flags |= 1 << Number(d);
    }
    this.u16[s + S_FLAGS] = flags;
    const destination = String(r.destination);
    let id = this.destinationIds.get(destination);
    if (id === undefined) {
      id = this.destinationNames.length;
      this.destinationNames.push(destination);
      this.destinationIds.set(destination, id);
    }
    this.i32[n + I_DESTINATION] = id;
    this.i32[n + I_NEXT] = 0;
    this.count++;
    this.link(prefix, i);
  }

  /** Puts row `row` last in the chain of `prefix`'s rows, making the trie nodes on the way. */
  private link(prefix: string, row: number): void {
    let node = 0;
    for (let k = 0; k < prefix.length; k++) {
      const slot = node * NODE_INTS + (prefix.charCodeAt(k) - 48);
      let next = this.nodes[slot];
      if (next === 0) {
        if ((this.nodeCount + 1) * NODE_INTS > this.nodes.length) this.resizeNodes(Math.ceil(this.nodeCount * GROWTH) + 1);
        next = this.nodeCount++;
        this.nodes[slot] = next;
      }
      node = next;
    }
    const first = this.nodes[node * NODE_INTS + NODE_FIRST_ROW];
    if (first === 0) {
      this.nodes[node * NODE_INTS + NODE_FIRST_ROW] = row + 1;
    } else {
      // Decks are loaded in prefix order, so the previous row usually ends this chain; otherwise walk it.
      let last = node === this.lastNode ? this.lastRow : first - 1;
      for (let next = this.i32[last * I32_PER_ROW + I_NEXT]; next !== 0; next = this.i32[last * I32_PER_ROW + I_NEXT]) last = next - 1;
      this.i32[last * I32_PER_ROW + I_NEXT] = row + 1;
    }
    this.lastNode = node;
    this.lastRow = row;
  }

  /** Drops build-time helpers and growth slack, and lays the trie out for lookups (adding more afterwards still works). */
  seal(): void {
    this.destinationIds.clear();
    this.renumberNodesDepthFirst();
    if (this.count < this.capacity) this.allocate(this.count);
  }

  /**
   * Renumbers the trie's nodes in depth-first order (a node's first child right after it), whatever
   * order the prefixes came in. A lookup walks one path from the root, and the deep part of a path is
   * mostly nodes with a single child: laid out this way they are neighbours in memory, so the walk costs
   * a few cache misses instead of one per digit. Also drops the growth slack.
   */
  private renumberNodesDepthFirst(): void {
    const count = this.nodeCount;
    const old = this.nodes;
    const renumbered = new Int32Array(count);
    const stack = new Int32Array(count);
    let depth = 0;
    let next = 0;
    stack[depth++] = 0;
    while (depth > 0) {
      const node = stack[--depth];
      renumbered[node] = next++;
      // Pushed 9 first so that digit 0 comes out (and is numbered) first.
      for (let d = 9; d >= 0; d--) {
        const child = old[node * NODE_INTS + d];
        if (child !== 0) stack[depth++] = child;
      }
    }
    const nodes = new Int32Array(count * NODE_INTS);
    for (let node = 0; node < count; node++) {
      const from = node * NODE_INTS;
      const to = renumbered[node] * NODE_INTS;
      for (let d = 0; d < 10; d++) {
        const child = old[from + d];
        nodes[to + d] = child === 0 ? 0 : renumbered[child];
      }
      nodes[to + NODE_FIRST_ROW] = old[from + NODE_FIRST_ROW];
    }
    this.nodes = nodes;
    this.lastNode = -1; // node numbers changed
  }

  /** Row `i` as a rate; `prefix` is its prefix (the caller knows it from the lookup). */
  private rate(i: number, prefix: string): StoredRate {
    const f = i * F64_PER_ROW;
    const n = i * I32_PER_ROW;
    const s = i * I16_PER_ROW;
    const { f64, i32, i16 } = this;
    const flags = this.u16[s + S_FLAGS];
    const from = f64[f + F_VALID_FROM];
    const until = f64[f + F_VALID_UNTIL];
    return {
      id: f64[f + F_ID],
      deckId: this.deckId,
      prefix,
      destination: this.destinationNames[i32[n + I_DESTINATION]],
      direction: flags & 1 ? 'inbound' : 'outbound',
      connectFee: moneyFromMicros(f64[f + F_MONEY]),
      includedSeconds: i32[n + I_INTS],
      perMinute: moneyFromMicros(f64[f + F_MONEY + 1]),
      firstBlock: i32[n + I_INTS + 1],
      increment: i32[n + I_INTS + 2],
      minimumCharge: moneyFromMicros(f64[f + F_MONEY + 2]),
      perMessage: moneyFromMicros(f64[f + F_MONEY + 3]),
      days: DAYS_BY_FLAGS[flags & DAYS_MASK],
      startTime: hhmm(i16[s + S_BAND]),
      endTime: hhmm(i16[s + S_BAND + 1]),
      priority: i32[n + I_INTS + 3],
      validFrom: Number.isNaN(from) ? null : new Date(from),
      validUntil: Number.isNaN(until) ? null : new Date(until),
    };
  }

  /**
   * Rates of `direction` for every prefix of `number`, longest prefix first (empty groups left out).
   * Digits only: a number with any other character matches nothing.
   */
  candidates(number: string, direction: Direction): StoredRate[][] {
    const groups: StoredRate[][] = [];
    if (direction !== 'inbound' && direction !== 'outbound') return groups;
    const { nodes, i32, u16 } = this;
    let matched = 0;
    let node = 0;
    for (let k = 0; k < number.length; k++) {
      const digit = number.charCodeAt(k) - 48;
      // Every character is checked, even past the last trie node.
      if (digit < 0 || digit > 9) return groups;
      if (node === -1) continue;
      const next = k < MAX_PREFIX_LENGTH ? nodes[node * NODE_INTS + digit] : 0;
      if (next === 0) {
        node = -1;
        continue;
      }
      node = next;
      const first = nodes[node * NODE_INTS + NODE_FIRST_ROW];
      if (first !== 0) {
        matchedRows[matched] = first - 1;
        matchedLengths[matched] = k + 1;
        matched++;
      }
    }
    // Read the first record of every matching prefix before building anything: independent loads, so
    // the CPU overlaps their cache misses instead of taking them one by one between the builds below.
    let flagsSeen = 0;
    for (let m = 0; m < matched; m++) flagsSeen |= u16[matchedRows[m] * I16_PER_ROW + S_FLAGS];
    _prefetchSink = flagsSeen;
    const inbound = direction === 'inbound' ? 1 : 0;
    for (let m = matched - 1; m >= 0; m--) {
      let group: StoredRate[] | null = null;
      let prefix = '';
      for (let i = matchedRows[m]; i !== -1; i = i32[i * I32_PER_ROW + I_NEXT] - 1) {
        if ((u16[i * I16_PER_ROW + S_FLAGS] & 1) !== inbound) continue;
        if (group === null) {
          group = [];
          prefix = number.slice(0, matchedLengths[m]);
          groups.push(group);
        }
        group.push(this.rate(i, prefix));
      }
    }
    return groups;
  }
}

interface DeckRef {
  id: number;
  effectiveFrom: number;
  version: number;
  rateCount: number;
}

interface CachedTable {
  version: number;
  rows: number;
  table: Promise<CompactDeck>;
}

/**
 * In-memory rate indexes per deck, so a lookup makes no SQL query per prefix. Freshness costs nothing
 * extra: every lookup reads the plan rows anyway, and `rate_plans.rates_version` changes with every
 * change of a plan's rates (in the same transaction), so a stale deck list or index is never used
 * after the change has committed, in this process or any other. Least recently used decks are dropped
 * beyond the row budget.
 */
@Injectable()
export class RateIndexCache {
  private readonly plans = new Map<number, { ratesVersion: number; decks: DeckRef[] }>();
  private readonly tables = new Map<number, CachedTable>();
  private cachedRows = 0;
  private readonly maxRows: number;

  constructor(
    private readonly repo: RatesRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.maxRows = config.rateCacheMaxRows;
  }

  /** The index of the plan's deck in force at `at`, or null when the plan has no deck then. */
  async deckAt(plan: { id: number; ratesVersion: number }, at: Date): Promise<CompactDeck | null> {
    let entry = this.plans.get(plan.id);
    if (!entry || entry.ratesVersion !== plan.ratesVersion) {
      const decks = await this.repo.listDecks(this.repo.manager, plan.id);
      entry = {
        ratesVersion: plan.ratesVersion,
        decks: decks.map((d) => ({ id: d.id, effectiveFrom: d.effectiveFrom.getTime(), version: d.version, rateCount: d.rateCount })),
      };
      this.plans.set(plan.id, entry);
    }
    const t = at.getTime();
    let chosen: DeckRef | null = null;
    for (const d of entry.decks) {
      if (
        d.effectiveFrom <= t &&
        (!chosen || d.effectiveFrom > chosen.effectiveFrom || (d.effectiveFrom === chosen.effectiveFrom && d.id > chosen.id))
      )
        chosen = d;
    }
    return chosen ? this.table(chosen) : null;
  }

  /** Forgets a plan's decks (e.g. after the plan was deleted). Correctness never depends on calling it. */
  forgetPlan(planId: number): void {
    const entry = this.plans.get(planId);
    if (entry) for (const d of entry.decks) this.drop(d.id);
    this.plans.delete(planId);
  }

  stats(): { decks: number; rows: number } {
    return { decks: this.tables.size, rows: this.cachedRows };
  }

  private table(deck: DeckRef): Promise<CompactDeck> {
    const cached = this.tables.get(deck.id);
    if (cached && cached.version === deck.version) {
      // Re-insert: Map order is the LRU order.
      this.tables.delete(deck.id);
      this.tables.set(deck.id, cached);
      return cached.table;
    }
    if (cached) this.drop(deck.id);
    const table = this.build(deck);
    const entry: CachedTable = { version: deck.version, rows: deck.rateCount, table };
    this.tables.set(deck.id, entry);
    this.cachedRows += entry.rows;
    table.catch(() => {
      if (this.tables.get(deck.id) === entry) this.drop(deck.id);
    });
    this.evict(deck.id);
    return table;
  }

  private async build(deck: DeckRef): Promise<CompactDeck> {
    const table = new CompactDeck(deck.id, deck.rateCount);
    for await (const page of this.repo.streamDeckRaw(deck.id)) for (const row of page) table.add(row);
    table.seal();
    return table;
  }

  private drop(deckId: number): void {
    const entry = this.tables.get(deckId);
    if (!entry) return;
    this.tables.delete(deckId);
    this.cachedRows -= entry.rows;
  }

  private evict(keep: number): void {
    for (const id of this.tables.keys()) {
      if (this.cachedRows <= this.maxRows) return;
      if (id !== keep) this.drop(id);
    }
  }
}

/**
 * A BIGINT micro-unit column (mysql2 gives a string, better-sqlite3 a number) kept as an integer in the
 * Float64Array. No arithmetic is done on it; it becomes Money again through Money.fromMicros, which
 * refuses anything beyond 2^53 (the storable money range), so an out-of-range value is never rounded.
 */
function microUnitsOf(column: unknown): number {
  return typeof column === 'number' ? column : Number.parseInt(String(column), 10);
}
