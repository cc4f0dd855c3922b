import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { Money } from '../../shared/money';
import type { SortOrder } from '../../shared/http/list-query';
import { LIKE_ESCAPE, likeContains } from '../../shared/pagination';
import { normaliseDialledNumber } from './domain/dialled-number';
import type { RateSort } from './dto/rate.dto';
import type { Direction, RateDefinition } from './domain/rate';
import { RateDeckEntity, type DeckSource } from './entities/rate-deck.entity';
import { RatePlanEntity } from './entities/rate-plan.entity';
import { RateEntity } from './entities/rate.entity';
import { readInstant, readInt, sqlInstant } from './sql-values';

/** A rate as stored: the domain definition plus its row identity. */
export interface StoredRate extends RateDefinition {
  id: number;
  deckId: number;
}

const RATE_COLUMNS = [
  'deck_id',
  'plan_id',
  'prefix',
  'destination',
  'direction',
  'connect_fee',
  'included_seconds',
  'per_minute',
  'first_block',
  'increment',
  'minimum_charge',
  'per_message',
  'days',
  'start_time',
  'end_time',
  'priority',
  'valid_from',
  'valid_until',
] as const;

/**
 * Rows per INSERT statement: 18 parameters each stays well under both databases' placeholder limits
 * (SQLite 32766, MariaDB 65535) and MariaDB's default packet size.
 */
const ROWS_PER_INSERT = 1000;
/** Rows per page when streaming a deck (keyset pagination by id: no OFFSET scans, works on both drivers). */
export const STREAM_PAGE = 5000;

const SELECT_RATE = `SELECT id, deck_id, prefix, destination, direction, connect_fee, included_seconds, per_minute, first_block,
  increment, minimum_charge, per_message, days, start_time, end_time, priority, valid_from, valid_until FROM rates`;

type RawRate = Record<(typeof RATE_COLUMNS)[number] | 'id', unknown>;

export function rateFromRaw(r: RawRate): StoredRate {
  return {
    id: readInt(r.id),
    deckId: readInt(r.deck_id),
    prefix: String(r.prefix),
    destination: String(r.destination),
    direction: r.direction as Direction,
    connectFee: Money.fromMicros(r.connect_fee as string | number),
    includedSeconds: readInt(r.included_seconds),
    perMinute: Money.fromMicros(r.per_minute as string | number),
    firstBlock: readInt(r.first_block),
    increment: readInt(r.increment),
    minimumCharge: Money.fromMicros(r.minimum_charge as string | number),
    perMessage: Money.fromMicros(r.per_message as string | number),
    days: (r.days as string | null) ?? null,
    startTime: (r.start_time as string | null) ?? null,
    endTime: (r.end_time as string | null) ?? null,
    priority: readInt(r.priority),
    validFrom: readInstant(r.valid_from),
    validUntil: readInstant(r.valid_until),
  };
}

/** The values of one row of `rates`, in RATE_COLUMNS order. */
function rateValues(deckId: number, planId: number, r: RateDefinition): unknown[] {
  return [
    deckId,
    planId,
    r.prefix,
    r.destination,
    r.direction,
    r.connectFee.toMicros(),
    r.includedSeconds,
    r.perMinute.toMicros(),
    r.firstBlock,
    r.increment,
    r.minimumCharge.toMicros(),
    r.perMessage.toMicros(),
    r.days,
    r.startTime,
    r.endTime,
    r.priority,
    r.validFrom === null ? null : sqlInstant(r.validFrom),
    r.validUntil === null ? null : sqlInstant(r.validUntil),
  ];
}

const ROW_PLACEHOLDERS = `(${RATE_COLUMNS.map(() => '?').join(', ')})`;
const insertSqlCache = new Map<number, string>();

/** `INSERT INTO rates (...) VALUES (?, ...), ...` for `rows` rows (the full-size statement is built once). */
function insertSql(rows: number): string {
  let sql = insertSqlCache.get(rows);
  if (sql === undefined) {
    sql = `INSERT INTO rates (${RATE_COLUMNS.join(', ')}) VALUES ${Array<string>(rows).fill(ROW_PLACEHOLDERS).join(', ')}`;
    if (rows === ROWS_PER_INSERT) insertSqlCache.set(rows, sql);
  }
  return sql;
}

/**
 * Rates waiting to be inserted into one deck, each held as its row of parameters (strings and numbers)
 * rather than as a RateDefinition, whose Money objects would otherwise live until the INSERT. The
 * statement's flat parameter array (18,000 values: a V8 "large object", which goes to the old
 * generation as soon as it survives one scavenge) is built only when it is sent, not grown row by row
 * while the deck is read.
 */
export class RateInsertBatch {
  private rows: unknown[][] = [];

  constructor(
    private readonly em: EntityManager,
    private readonly deckId: number,
    private readonly planId: number,
  ) {}

  /** Rates added and not yet flushed. */
  get size(): number {
    return this.rows.length;
  }

  add(rate: RateDefinition): void {
    this.rows.push(rateValues(this.deckId, this.planId, rate));
  }

  /** Inserts what was added, in statements of at most ROWS_PER_INSERT rows. */
  async flush(): Promise<void> {
    const rows = this.rows;
    this.rows = [];
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const end = Math.min(rows.length, start + ROWS_PER_INSERT);
      const params: unknown[] = [];
      for (let i = start; i < end; i++) for (const value of rows[i]) params.push(value);
      await this.em.query(insertSql(end - start), params);
    }
  }
}

/** Column → value for an UPDATE of one rate (raw, so money and instants are stored as the bulk paths do). */
function rateAssignments(r: RateDefinition): Record<string, unknown> {
  const values = rateValues(0, 0, r);
  const out: Record<string, unknown> = {};
  RATE_COLUMNS.forEach((c, i) => {
    if (c !== 'deck_id' && c !== 'plan_id') out[c] = values[i];
  });
  return out;
}

/** The only place that touches the rates and rate_decks tables. */
@Injectable()
export class RatesRepository {
  constructor(private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  // ---- decks ------------------------------------------------------------------------------------

  listDecks(em: EntityManager, planId: number): Promise<RateDeckEntity[]> {
    return em.find(RateDeckEntity, { where: { planId }, order: { effectiveFrom: 'ASC', id: 'ASC' } });
  }

  /** The deck in force at `at`: the latest effective_from <= at (ties: the later deck). */
  deckAt(em: EntityManager, planId: number, at: Date): Promise<RateDeckEntity | null> {
    return em
      .createQueryBuilder(RateDeckEntity, 'd')
      .where('d.planId = :planId', { planId })
      .andWhere('d.effectiveFrom <= :at', { at: sqlInstant(at) })
      .orderBy('d.effectiveFrom', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .getOne();
  }

  /** Rates in the deck in force at `at`, per plan. */
  async currentCounts(em: EntityManager, planIds: readonly number[], at: Date): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    if (planIds.length === 0) return out;
    const decks = await em
      .createQueryBuilder(RateDeckEntity, 'd')
      .where('d.planId IN (:...planIds)', { planIds: [...planIds] })
      .andWhere('d.effectiveFrom <= :at', { at: sqlInstant(at) })
      .orderBy('d.effectiveFrom', 'ASC')
      .addOrderBy('d.id', 'ASC')
      .getMany();
    // Ascending order: the last deck seen per plan is the one in force.
    for (const d of decks) out.set(d.planId, d.rateCount);
    return out;
  }

  findDeck(em: EntityManager, planId: number, deckId: number): Promise<RateDeckEntity | null> {
    return em.findOneBy(RateDeckEntity, { id: deckId, planId });
  }

  async createDeck(
    em: EntityManager,
    row: { planId: number; effectiveFrom: Date; source: DeckSource; createdByPersonId: number | null; createdAt: Date },
  ): Promise<RateDeckEntity> {
    const deck = em.create(RateDeckEntity, { ...row, rateCount: 0, version: 0 });
    return em.save(RateDeckEntity, deck);
  }

  async setDeckCount(em: EntityManager, deckId: number, rateCount: number): Promise<void> {
    await em.update(RateDeckEntity, { id: deckId }, { rateCount });
  }

  /** Marks a change of the plan's rates: readers of cached indexes see the new version and reload. */
  async bumpVersions(em: EntityManager, planId: number, deckId: number | null, countDelta = 0): Promise<void> {
    if (deckId !== null) {
      await em
        .createQueryBuilder()
        .update(RateDeckEntity)
        .set({ version: () => 'version + 1', rateCount: () => `rate_count + (${Math.trunc(countDelta)})` })
        .where('id = :deckId', { deckId })
        .execute();
    }
    await em
      .createQueryBuilder()
      .update(RatePlanEntity)
      .set({ ratesVersion: () => 'rates_version + 1' })
      .where('id = :planId', { planId })
      .execute();
  }

  /**
   * Deletes decks that can no longer be in force for any call that matters: superseded by a deck that
   * took effect before `supersededBefore`. Returns how many decks went.
   */
  async purgeOldDecks(em: EntityManager, planId: number, supersededBefore: Date): Promise<number> {
    const decks = await this.listDecks(em, planId);
    const doomed: number[] = [];
    for (let i = 0; i < decks.length - 1; i++) {
      const successor = decks[i + 1];
      if (successor.effectiveFrom.getTime() < supersededBefore.getTime()) doomed.push(decks[i].id);
    }
    for (const id of doomed) await this.deleteDeck(em, id);
    return doomed.length;
  }

  async deleteDeck(em: EntityManager, deckId: number): Promise<void> {
    await em.query('DELETE FROM rates WHERE deck_id = ?', [deckId]);
    await em.delete(RateDeckEntity, { id: deckId });
  }

  async deletePlanRates(em: EntityManager, planId: number): Promise<void> {
    await em.query('DELETE FROM rates WHERE plan_id = ?', [planId]);
    await em.delete(RateDeckEntity, { planId });
  }

  // ---- rates ------------------------------------------------------------------------------------

  /** A batch for bulk inserts into a deck: add rates, flush every so often (see RateInsertBatch). */
  insertBatch(em: EntityManager, deckId: number, planId: number): RateInsertBatch {
    return new RateInsertBatch(em, deckId, planId);
  }

  /** Bulk insert in multi-row statements. */
  async insertRates(em: EntityManager, deckId: number, planId: number, rates: readonly RateDefinition[]): Promise<void> {
    const batch = this.insertBatch(em, deckId, planId);
    for (const r of rates) batch.add(r);
    await batch.flush();
  }

  async insertRate(em: EntityManager, deckId: number, planId: number, rate: RateDefinition): Promise<number> {
    const result = await em.insert(RateEntity, { ...rate, deckId, planId });
    return readInt((result.identifiers[0] as { id: unknown }).id);
  }

  async updateRate(em: EntityManager, rateId: number, rate: RateDefinition): Promise<void> {
    const assignments = rateAssignments(rate);
    const columns = Object.keys(assignments);
    await em.query(`UPDATE rates SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, [
      ...columns.map((c) => assignments[c]),
      rateId,
    ]);
  }

  async deleteRate(em: EntityManager, rateId: number): Promise<void> {
    await em.query('DELETE FROM rates WHERE id = ?', [rateId]);
  }

  async findRate(em: EntityManager, planId: number, rateId: number): Promise<StoredRate | null> {
    const rows = (await em.query(`${SELECT_RATE} WHERE id = ? AND plan_id = ?`, [rateId, planId])) as RawRate[];
    return rows.length ? rateFromRaw(rows[0]) : null;
  }

  /** Rates of a deck with the given prefix (for duplicate checks of single-rate edits). */
  async ratesWithPrefix(em: EntityManager, deckId: number, prefix: string): Promise<StoredRate[]> {
    const rows = (await em.query(`${SELECT_RATE} WHERE deck_id = ? AND prefix = ?`, [deckId, prefix])) as RawRate[];
    return rows.map(rateFromRaw);
  }

  /**
   * Raw pages of a deck in (prefix, id) order. Keyset pagination along the (deck_id, prefix) index
   * (which carries the row id on both databases): every page is an index range scan, with no sort and
   * no OFFSET, so a million-rate deck streams in linear time and flat memory.
   */
  async *streamDeckRaw(deckId: number, em: EntityManager = this.manager, pageSize = STREAM_PAGE): AsyncGenerator<RawRate[]> {
    let rows = (await em.query(`${SELECT_RATE} WHERE deck_id = ? ORDER BY prefix, id LIMIT ${pageSize}`, [deckId])) as RawRate[];
    for (;;) {
      if (rows.length) yield rows;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      const prefix = String(last.prefix);
      rows = (await em.query(
        `${SELECT_RATE} WHERE deck_id = ? AND prefix >= ? AND (prefix > ? OR id > ?) ORDER BY prefix, id LIMIT ${pageSize}`,
        [deckId, prefix, prefix, readInt(last.id)],
      )) as RawRate[];
    }
  }

  /** A deck's rates, sorted by prefix (see streamDeckRaw). */
  async *streamDeck(deckId: number, em: EntityManager = this.manager): AsyncGenerator<StoredRate> {
    for await (const page of this.streamDeckRaw(deckId, em)) for (const r of page) yield rateFromRaw(r);
  }

  /** One page of a deck, searched by prefix (digits: starts with) or destination (contains). */
  /**
   * A page of a deck. A search that reads as a number ("+44 20 7946", "0044 20…", "4420") finds the prefixes
   * starting with its digits; one of NUMBER_SEARCH_DIGITS digits or more is a telephone number rather than a
   * prefix, and also finds the prefixes it starts with (the rates a call to it could use: one index lookup
   * per leading part). Any search also finds the destinations containing it.
   */
  async pageDeck(
    deckId: number,
    q: { search?: string; direction?: Direction; sort?: SortOrder<RateSort> },
    skip: number,
    take: number,
  ): Promise<[StoredRate[], number]> {
    const qb = this.manager.createQueryBuilder(RateEntity, 'r').where('r.deckId = :deckId', { deckId });
    const text = q.search?.trim();
    if (text) {
      const digits = normaliseDialledNumber(text);
      qb.andWhere(
        new Brackets((w) => {
          if (digits) {
            w.where('r.prefix LIKE :prefix', { prefix: `${digits}%` });
          }
          if (digits && digits.length >= NUMBER_SEARCH_DIGITS) {
            const leading = Array.from({ length: Math.min(digits.length, 20) }, (_, i) => digits.slice(0, i + 1));
            w.orWhere('r.prefix IN (:...leading)', { leading });
          }
          w.orWhere(`r.destination LIKE :dest ${LIKE_ESCAPE}`, { dest: likeContains(text) });
        }),
      );
    }
    if (q.direction) qb.andWhere('r.direction = :direction', { direction: q.direction });
    const dir = q.sort?.descending ? 'DESC' : 'ASC';
    const [rows, total] = await qb
      .orderBy(`r.${q.sort?.column ?? 'prefix'}`, dir)
      .addOrderBy('r.id', dir)
      .skip(skip)
      .take(take)
      .getManyAndCount();
    return [rows.map(rateFromEntity), total];
  }
}

/** A rate search of this many digits or more is a telephone number (see pageDeck). */
export const NUMBER_SEARCH_DIGITS = 6;

export function rateFromEntity(e: RateEntity): StoredRate {
  const { deck: _deck, planId: _planId, ...rate } = e;
  return rate;
}

export type { RawRate };
