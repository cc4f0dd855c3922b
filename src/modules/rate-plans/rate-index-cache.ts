import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { Money } from '../../shared/money';
import { PrefixIndex } from './domain/prefix-index';
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
const hhmm = (minutes: number): string | null =>
  minutes === NONE ? null : `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * One deck's rates in memory, column by column in typed arrays, behind the domain's PrefixIndex of row
 * numbers. An object per rate (with four Decimal-backed Money values) would cost several hundred bytes
 * per rate, too much for million-rate decks; here a rate costs roughly 100 bytes plus its trie share,
 * and full RateDefinitions are made only for the few rows a lookup matches.
 */
export class CompactDeck {
  readonly index = new PrefixIndex<number>();
  private count = 0;
  private ids: Float64Array;
  /** connect fee, per minute, minimum charge, per message: micro-units (integers < 2^53, exact in a double). */
  private money: Float64Array;
  /** included seconds, first block, increment, priority. */
  private ints: Int32Array;
  /** start and end of the time band in minutes; -1 = not set. */
  private band: Int16Array;
  /** bit 0: inbound; bits 1-7: days Monday..Sunday; bit 8: days set. */
  private flags: Uint16Array;
  /** valid from / until in ms; NaN = unbounded. */
  private validity: Float64Array;
  private prefixes: string[] = [];
  private destinations: string[] = [];
  private readonly interned = new Map<string, string>();

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
    const grow = <T extends Float64Array | Int32Array | Int16Array | Uint16Array>(
      old: T | undefined,
      make: (n: number) => T,
      per: number,
    ): T => {
      const next = make(capacity * per);
      if (old) next.set(old.subarray(0, this.count * per) as never);
      return next;
    };
    this.ids = grow(this.ids, (n) => new Float64Array(n), 1);
    this.money = grow(this.money, (n) => new Float64Array(n), 4);
    this.ints = grow(this.ints, (n) => new Int32Array(n), 4);
    this.band = grow(this.band, (n) => new Int16Array(n), 2);
    this.flags = grow(this.flags, (n) => new Uint16Array(n), 1);
    this.validity = grow(this.validity, (n) => new Float64Array(n), 2);
  }

  add(r: RawRate): void {
    const i = this.count;
    if (i === this.ids.length) this.allocate(Math.ceil(this.ids.length * GROWTH));
    this.ids[i] = readInt(r.id);
    this.money[i * 4] = Number(r.connect_fee);
    this.money[i * 4 + 1] = Number(r.per_minute);
    this.money[i * 4 + 2] = Number(r.minimum_charge);
    this.money[i * 4 + 3] = Number(r.per_message);
    this.ints[i * 4] = readInt(r.included_seconds);
    this.ints[i * 4 + 1] = readInt(r.first_block);
    this.ints[i * 4 + 2] = readInt(r.increment);
    this.ints[i * 4 + 3] = readInt(r.priority);
    this.band[i * 2] = minutesOf(r.start_time);
    // "24:00" is kept as 1440 so that the text round-trips.
    this.band[i * 2 + 1] = r.end_time === '24:00' ? 1440 : minutesOf(r.end_time);
    let flags = r.direction === 'inbound' ? 1 : 0;
    if (r.days !== null && r.days !== undefined) {
      flags |= 1 << 8;
      for (const d of String(r.days)) flags |= 1 << Number(d);
    }
    this.flags[i] = flags;
    this.validity[i * 2] = readInstant(r.valid_from)?.getTime() ?? NaN;
    this.validity[i * 2 + 1] = readInstant(r.valid_until)?.getTime() ?? NaN;
    const prefix = String(r.prefix);
    this.prefixes.push(prefix);
    const destination = String(r.destination);
    let shared = this.interned.get(destination);
    if (shared === undefined) {
      shared = destination;
      this.interned.set(destination, destination);
    }
    this.destinations.push(shared);
    this.count++;
    this.index.add(prefix, i);
  }

  /** Drops build-time helpers and growth slack. */
  seal(): void {
    this.interned.clear();
    this.index.compact();
    if (this.count < this.ids.length) this.allocate(this.count);
  }

  direction(i: number): Direction {
    return this.flags[i] & 1 ? 'inbound' : 'outbound';
  }

  rate(i: number): StoredRate {
    const f = this.flags[i];
    let days: string | null = null;
    if (f & (1 << 8)) {
      days = '';
      for (let d = 1; d <= 7; d++) if (f & (1 << d)) days += String(d);
    }
    const from = this.validity[i * 2];
    const until = this.validity[i * 2 + 1];
    return {
      id: this.ids[i],
      deckId: this.deckId,
      prefix: this.prefixes[i],
      destination: this.destinations[i],
      direction: this.direction(i),
      connectFee: Money.fromMicros(this.money[i * 4]),
      includedSeconds: this.ints[i * 4],
      perMinute: Money.fromMicros(this.money[i * 4 + 1]),
      firstBlock: this.ints[i * 4 + 1],
      increment: this.ints[i * 4 + 2],
      minimumCharge: Money.fromMicros(this.money[i * 4 + 2]),
      perMessage: Money.fromMicros(this.money[i * 4 + 3]),
      days,
      startTime: hhmm(this.band[i * 2]),
      endTime: hhmm(this.band[i * 2 + 1]),
      priority: this.ints[i * 4 + 3],
      validFrom: Number.isNaN(from) ? null : new Date(from),
      validUntil: Number.isNaN(until) ? null : new Date(until),
    };
  }

  /** Rates of `direction` for every prefix of `number`, longest prefix first (empty groups left out). */
  candidates(number: string, direction: Direction): StoredRate[][] {
    const groups: StoredRate[][] = [];
    for (const rows of this.index.matches(number)) {
      const group: StoredRate[] = [];
      for (const i of rows) if (this.direction(i) === direction) group.push(this.rate(i));
      if (group.length) groups.push(group);
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
