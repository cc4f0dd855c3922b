import { Injectable } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { EntityManager } from 'typeorm';
import { TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { Clock } from '../../shared/clock';
import { ConflictError, FieldError, NotFoundError, ValidationError } from '../../shared/errors';
import { FieldProblems } from '../../shared/field-problems';
import { sortOrder, textCell } from '../../shared/http/list-query';
import { pageParams } from '../../shared/pagination';
import { Scope } from '../../shared/scope';
import { diffDecks, type DeckDiff } from './domain/deck-diff';
import { rateKey, type RateDefinition } from './domain/rate';
import { parseRateDeck, parseRateRow, rateToFields, writeRateDeck, type DeckError, type DeckFields } from './domain/rate-deck-csv';
import {
  CreateRateDto,
  ImportRatesQuery,
  ListRatesQuery,
  RateDeckDto,
  RateDto,
  RatePageDto,
  RATE_SORTS,
  UpdateRateDto,
  type RateFieldsDto,
} from './dto/rate.dto';
import type { RateDeckEntity } from './entities/rate-deck.entity';
import type { RatePlanEntity } from './entities/rate-plan.entity';
import { RatePlansService } from './rate-plans.service';
import { RatesRepository, type StoredRate } from './rates.repository';
import { BEGINNING_OF_TIME } from './sql-values';

/** A deck superseded longer ago than this is deleted after the next import (late CDRs are rated before then). */
export const DECK_RETENTION_DAYS = 35;
/** Bad lines listed in a refused import (all are counted). */
export const MAX_REPORTED_DECK_ERRORS = 1000;
/** Rates per INSERT batch of an import: small batches die young, keeping the heap (and RSS) low. */
const IMPORT_BATCH = 1000;
/**
 * Bytes per read of a spooled deck (Node's default is 64 KiB). Measured on a 1M-row SQLite import right
 * after spooling the upload (Node 20): reads of 2-6 KiB left ~24 MB promoted to V8's old generation and
 * no full GC during the import (old space peak ~57 MB); reads of 8 KiB and more tipped V8 into repeated
 * incremental marking, during which scavenges promote whatever is alive (~300 MB promoted, old space
 * peak ~130 MB). The CSV parser also turns a whole read into records at once, so smaller reads keep
 * fewer of them waiting.
 */
const DECK_READ_BYTES = 4 * 1024;

const readDeck = (file: string) => createReadStream(file, { highWaterMark: DECK_READ_BYTES });

export interface ImportOptions {
  preview: boolean;
  effectiveFrom?: Date;
}

export interface ImportResult {
  applied: boolean;
  rows: number;
  deck: RateDeckDto | null;
  /** Filled for a preview; null when applied (the preview is the place to compare). */
  diff: DeckDiff | null;
}

const API_FIELD: Record<string, string> = {
  prefix: 'prefix',
  destination: 'destination',
  direction: 'direction',
  connect_fee: 'connectFee',
  included_seconds: 'includedSeconds',
  per_minute: 'perMinute',
  first_block: 'firstBlock',
  increment: 'increment',
  minimum_charge: 'minimumCharge',
  per_message: 'perMessage',
  days: 'days',
  start_time: 'startTime',
  end_time: 'endTime',
  priority: 'priority',
  valid_from: 'validFrom',
  valid_until: 'validUntil',
};

/** JSON rate fields over deck fields (the CSV row parser is the one validator of rates). */
function withDtoFields(base: DeckFields, dto: RateFieldsDto): DeckFields {
  const out: DeckFields = { ...base };
  const put = (column: keyof typeof API_FIELD & keyof DeckFields, v: string | number | null | undefined) => {
    if (v !== undefined) out[column] = v === null ? '' : String(v);
  };
  put('prefix', dto.prefix);
  put('destination', dto.destination);
  put('direction', dto.direction);
  put('connect_fee', dto.connectFee);
  put('included_seconds', dto.includedSeconds);
  put('per_minute', dto.perMinute);
  put('first_block', dto.firstBlock);
  put('increment', dto.increment);
  put('minimum_charge', dto.minimumCharge);
  put('per_message', dto.perMessage);
  put('days', dto.days);
  put('start_time', dto.startTime);
  put('end_time', dto.endTime);
  put('priority', dto.priority);
  put('valid_from', dto.validFrom);
  put('valid_until', dto.validUntil);
  return out;
}

/** Defaults of a rate created through the API (the CSV has no defaults for its required columns). */
const NEW_RATE_DEFAULTS: DeckFields = {
  direction: 'outbound',
  connect_fee: '0',
  included_seconds: '0',
  first_block: '1',
  increment: '1',
  minimum_charge: '0',
  per_message: '0',
  priority: '0',
};

function parseRate(fields: DeckFields): RateDefinition {
  const parsed = parseRateRow(fields);
  if ('rate' in parsed) return parsed.rate;
  const details: FieldError[] = parsed.errors.map((e) => {
    const i = e.indexOf(': ');
    const column = e.slice(0, i);
    return { field: API_FIELD[column] ?? column, message: e.slice(i + 2) };
  });
  throw new ValidationError(details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
}

/** The columns of a rate list exported as CSV (GET …/rates?format=csv), in this order. */
export const RATE_CSV_HEADER = [
  'id',
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
];
export function rateCsvRow(r: RateDto): string[] {
  const v = (x: unknown) => (x === null || x === undefined ? '' : String(x));
  return [
    String(r.id),
    r.prefix,
    textCell(r.destination),
    r.direction,
    r.connectFee,
    String(r.includedSeconds),
    r.perMinute,
    String(r.firstBlock),
    String(r.increment),
    r.minimumCharge,
    r.perMessage,
    v(r.days),
    v(r.startTime),
    v(r.endTime),
    String(r.priority),
    v(r.validFrom),
    v(r.validUntil),
  ];
}

export function toRateDto(r: StoredRate): RateDto {
  return {
    id: r.id,
    deckId: r.deckId,
    prefix: r.prefix,
    destination: r.destination,
    direction: r.direction,
    connectFee: r.connectFee.toString(),
    includedSeconds: r.includedSeconds,
    perMinute: r.perMinute.toString(),
    firstBlock: r.firstBlock,
    increment: r.increment,
    minimumCharge: r.minimumCharge.toString(),
    perMessage: r.perMessage.toString(),
    days: r.days,
    startTime: r.startTime,
    endTime: r.endTime,
    priority: r.priority,
    validFrom: r.validFrom?.toISOString() ?? null,
    validUntil: r.validUntil?.toISOString() ?? null,
  };
}

/** The refusal of a bad deck: 400, one detail per bad line (`field: "line N"`). */
export function deckRefusal(errors: readonly DeckError[], errorCount: number): ValidationError {
  const shown = errors.length < errorCount ? ` (the first ${errors.length} are listed)` : '';
  return new ValidationError(
    `the rate deck has ${errorCount} bad line(s)${shown}; nothing was changed`,
    errors.map((e) => ({ field: `line ${e.line}`, message: e.message })),
  );
}

/** Rates of a plan: single-rate edits, deck import (with preview and a future start) and export. */
@Injectable()
export class RatesService {
  constructor(
    private readonly plans: RatePlansService,
    private readonly repo: RatesRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  deckDto(d: RateDeckEntity, decks: readonly RateDeckEntity[]): RateDeckDto {
    const now = this.clock.now().getTime();
    let status = 'superseded';
    if (d.effectiveFrom.getTime() > now) status = 'pending';
    else {
      const later = decks.some(
        (o) =>
          o.id !== d.id &&
          o.effectiveFrom.getTime() <= now &&
          (o.effectiveFrom > d.effectiveFrom || (o.effectiveFrom.getTime() === d.effectiveFrom.getTime() && o.id > d.id)),
      );
      if (!later) status = 'active';
    }
    return {
      id: d.id,
      effectiveFrom: d.effectiveFrom.toISOString(),
      status,
      rateCount: d.rateCount,
      source: d.source,
      createdAt: d.createdAt.toISOString(),
    };
  }

  async decks(scope: Scope, planId: number): Promise<RateDeckDto[]> {
    const em = this.repo.manager;
    await this.plans.findVisible(em, scope, planId);
    const decks = await this.repo.listDecks(em, planId);
    return decks.map((d) => this.deckDto(d, decks)).reverse();
  }

  /** The deck asked for: by id, or the one in force at `at` (default now). */
  private async pickDeck(em: EntityManager, planId: number, q: { deckId?: number; at?: string }): Promise<RateDeckEntity | null> {
    if (q.deckId !== undefined) {
      const deck = await this.repo.findDeck(em, planId, q.deckId);
      if (!deck) throw new NotFoundError('rate deck');
      return deck;
    }
    return this.repo.deckAt(em, planId, q.at ? new Date(q.at) : this.clock.now());
  }

  async list(scope: Scope, planId: number, q: ListRatesQuery): Promise<RatePageDto> {
    const em = this.repo.manager;
    await this.plans.findVisible(em, scope, planId);
    const { page, pageSize, skip } = pageParams(q);
    const deck = await this.pickDeck(em, planId, q);
    if (!deck) return { items: [], page, pageSize, total: 0, deck: null };
    const sort = sortOrder(q.sort, RATE_SORTS, 'prefix');
    const [rows, total] = await this.repo.pageDeck(deck.id, { search: q.search, direction: q.direction, sort }, skip, pageSize);
    const decks = await this.repo.listDecks(em, planId);
    return { items: rows.map(toRateDto), page, pageSize, total, deck: this.deckDto(deck, decks) };
  }

  async get(scope: Scope, planId: number, rateId: number): Promise<RateDto> {
    const em = this.repo.manager;
    await this.plans.findVisible(em, scope, planId);
    const rate = await this.repo.findRate(em, planId, rateId);
    if (!rate) throw new NotFoundError('rate');
    return toRateDto(rate);
  }

  /** Adds one rate to the deck in force now (a plan's first rate starts a deck valid for all times). */
  async create(scope: Scope, planId: number, dto: CreateRateDto, earlier: readonly FieldError[] = []): Promise<RateDto> {
    // The format problems (validatePartial), the missing fields and the rate's own rules (amounts, blocks,
    // bands) in one answer (issue #14); the uniqueness of the rate's key needs a complete rate, so it comes after.
    const problems = new FieldProblems(earlier);
    for (const f of ['prefix', 'destination', 'perMinute'] as const) if (dto[f] === undefined) problems.add(f, 'is required');
    const parsed = await problems.check('prefix', () => parseRate(withDtoFields(NEW_RATE_DEFAULTS, dto)));
    problems.throwIfAny();
    const rate = parsed!;
    const id = await this.tx.run(async (em) => {
      const plan = await this.plans.findEditable(em, scope, planId);
      const now = this.clock.now();
      let deck = await this.repo.deckAt(em, plan.id, now);
      if (!deck) {
        deck = await this.repo.createDeck(em, {
          planId: plan.id,
          effectiveFrom: BEGINNING_OF_TIME,
          source: 'manual',
          createdByPersonId: scope.personId,
          createdAt: now,
        });
      }
      await this.assertUniqueKey(em, deck.id, rate, null);
      const rateId = await this.repo.insertRate(em, deck.id, plan.id, rate);
      await this.repo.bumpVersions(em, plan.id, deck.id, 1);
      await this.audit.record(
        scope,
        {
          action: 'rate_created',
          entityType: 'rate',
          entityId: rateId,
          customerId: plan.ownerCustomerId,
          details: { planId: plan.id, deckId: deck.id, ...dto },
        },
        em,
      );
      return rateId;
    });
    return this.get(scope, planId, id);
  }

  async update(scope: Scope, planId: number, rateId: number, dto: UpdateRateDto): Promise<RateDto> {
    await this.tx.run(async (em) => {
      const plan = await this.plans.findEditable(em, scope, planId);
      const existing = await this.repo.findRate(em, plan.id, rateId);
      if (!existing) throw new NotFoundError('rate');
      const rate = parseRate(withDtoFields(rateToFields(existing), dto));
      await this.assertUniqueKey(em, existing.deckId, rate, existing.id);
      await this.repo.updateRate(em, existing.id, rate);
      await this.repo.bumpVersions(em, plan.id, existing.deckId);
      await this.audit.record(
        scope,
        {
          action: 'rate_updated',
          entityType: 'rate',
          entityId: rateId,
          customerId: plan.ownerCustomerId,
          details: { planId: plan.id, ...dto },
        },
        em,
      );
    });
    return this.get(scope, planId, rateId);
  }

  async remove(scope: Scope, planId: number, rateId: number): Promise<void> {
    await this.tx.run(async (em) => {
      const plan = await this.plans.findEditable(em, scope, planId);
      const existing = await this.repo.findRate(em, plan.id, rateId);
      if (!existing) throw new NotFoundError('rate');
      await this.repo.deleteRate(em, existing.id);
      await this.repo.bumpVersions(em, plan.id, existing.deckId, -1);
      await this.audit.record(
        scope,
        {
          action: 'rate_deleted',
          entityType: 'rate',
          entityId: rateId,
          customerId: plan.ownerCustomerId,
          details: { planId: plan.id, prefix: existing.prefix, destination: existing.destination },
        },
        em,
      );
    });
  }

  private async assertUniqueKey(em: EntityManager, deckId: number, rate: RateDefinition, exceptId: number | null): Promise<void> {
    const key = rateKey(rate);
    const clash = (await this.repo.ratesWithPrefix(em, deckId, rate.prefix)).find((r) => r.id !== exceptId && rateKey(r) === key);
    if (clash) {
      throw ConflictError.field('prefix', `rate ${clash.id} already has this prefix, direction, days, time band and valid from`);
    }
  }

  // ---- decks --------------------------------------------------------------------------------------

  /** Checked before an upload is read, so a refused caller does not get to send 200 MB first. */
  async assertCanImport(scope: Scope, planId: number): Promise<RatePlanEntity> {
    return this.plans.findEditable(this.repo.manager, scope, planId);
  }

  /**
   * Imports a deck file (already spooled to disk) as the plan's new rates, in force from now or from
   * `effectiveFrom`. The whole deck is validated while it is inserted, in ONE transaction: any bad row
   * rolls everything back, so a refused deck changes nothing. A preview validates and compares with the
   * rates the deck would replace, and writes nothing.
   */
  async importDeck(scope: Scope, planId: number, file: string, opts: ImportOptions): Promise<ImportResult> {
    const now = this.clock.now();
    if (opts.effectiveFrom && opts.effectiveFrom.getTime() <= now.getTime()) {
      throw ValidationError.field('effectiveFrom', 'must be in the future (leave it out to apply the deck now)');
    }
    const start = opts.effectiveFrom ?? now;
    if (opts.preview) return this.preview(scope, planId, file, start);

    const result = await this.tx.run(async (em) => {
      const plan = await this.plans.findEditable(em, scope, planId);
      const anyDeck = (await this.repo.listDecks(em, plan.id)).length > 0;
      const deck = await this.repo.createDeck(em, {
        planId: plan.id,
        // A plan's first rates apply to every call, including earlier ones.
        effectiveFrom: opts.effectiveFrom ?? (anyDeck ? now : BEGINNING_OF_TIME),
        source: 'import',
        createdByPersonId: scope.personId,
        createdAt: now,
      });
      const errors: DeckError[] = [];
      let errorCount = 0;
      let rows = 0;
      // Each rate becomes INSERT parameters at once (see RateInsertBatch), so nothing per row outlives
      // its batch: with the exact key table of parseRateDeck, memory stays flat however long the deck.
      const batch = this.repo.insertBatch(em, deck.id, plan.id);
      for await (const row of parseRateDeck(readDeck(file))) {
        if ('error' in row) {
          errorCount++;
          if (errors.length < MAX_REPORTED_DECK_ERRORS) errors.push({ line: row.line, message: row.error });
          if (!row.fileLevel) rows++;
          continue;
        }
        rows++;
        // Once a row is bad the deck is refused; keep reading only to report every bad line.
        if (errorCount > 0) continue;
        batch.add(row.rate);
        if (batch.size >= IMPORT_BATCH) await batch.flush();
      }
      if (errorCount > 0) throw deckRefusal(errors, errorCount);
      await batch.flush();
      await this.repo.setDeckCount(em, deck.id, rows);
      await this.repo.bumpVersions(em, plan.id, null);
      deck.rateCount = rows;
      await this.audit.record(
        scope,
        {
          action: 'rate_deck_imported',
          entityType: 'rate_plan',
          entityId: plan.id,
          customerId: plan.ownerCustomerId,
          details: { deckId: deck.id, rows, effectiveFrom: deck.effectiveFrom.toISOString() },
        },
        em,
      );
      return { deck, rows };
    });
    await this.purge(planId);
    const decks = await this.repo.listDecks(this.repo.manager, planId);
    return { applied: true, rows: result.rows, deck: this.deckDto(result.deck, decks), diff: null };
  }

  private async preview(scope: Scope, planId: number, file: string, start: Date): Promise<ImportResult> {
    const em = this.repo.manager;
    const plan = await this.plans.findEditable(em, scope, planId);
    const replaced = await this.repo.deckAt(em, plan.id, start);
    const errors: DeckError[] = [];
    let errorCount = 0;
    let rows = 0;
    async function* good(): AsyncGenerator<RateDefinition> {
      for await (const row of parseRateDeck(readDeck(file))) {
        if ('error' in row) {
          errorCount++;
          if (errors.length < MAX_REPORTED_DECK_ERRORS) errors.push({ line: row.line, message: row.error });
          if (!row.fileLevel) rows++;
          continue;
        }
        rows++;
        yield row.rate;
      }
    }
    const existing = replaced ? this.repo.streamDeck(replaced.id, em) : [];
    const diff = await diffDecks(existing, good());
    if (errorCount > 0) throw deckRefusal(errors, errorCount);
    return { applied: false, rows, deck: null, diff };
  }

  /** Deletes decks superseded more than DECK_RETENTION_DAYS ago (their rates can no longer be needed). */
  async purge(planId: number): Promise<number> {
    const before = new Date(this.clock.now().getTime() - DECK_RETENTION_DAYS * 86_400_000);
    return this.tx.run(async (em) => {
      const n = await this.repo.purgeOldDecks(em, planId, before);
      if (n > 0) await this.repo.bumpVersions(em, planId, null);
      return n;
    });
  }

  /** Streams the deck in force now (or the one asked for) as CSV to `out`, which it ends. */
  /** `ready` runs once the plan and deck are found, before the first byte (to set the CSV headers only then). */
  async exportDeck(scope: Scope, planId: number, q: { deckId?: number; at?: string }, out: Writable, ready?: () => void): Promise<void> {
    const em = this.repo.manager;
    await this.plans.findVisible(em, scope, planId);
    const deck = await this.pickDeck(em, planId, q);
    ready?.();
    await writeRateDeck(deck ? this.repo.streamDeck(deck.id) : [], out);
  }

  /** Parses the query of an import. */
  static importOptions(q: ImportRatesQuery): ImportOptions {
    return { preview: q.preview === 'true', effectiveFrom: q.effectiveFrom ? new Date(q.effectiveFrom) : undefined };
  }
}
