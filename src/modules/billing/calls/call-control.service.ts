import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../../config/config';
import { isUniqueViolation } from '../../../database/dialect';
import { TransactionRunner } from '../../../database/transaction-runner';
import { Clock } from '../../../shared/clock';
import { pathIds } from '../../../shared/customer-directory';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../../shared/errors';
import { fieldErrors } from '../../../shared/http/validation.pipe';
import { JobRunner } from '../../../shared/jobs/job-runner';
import { Money } from '../../../shared/money';
import { isInSubtree, type Scope } from '../../../shared/scope';
import { CustomersApi, type BillingProfile } from '../../customers/customers.api';
import { OutboxService } from '../../notifications/notifications.api';
import { NoRateError, RatePlansApi, RatingService, type RatedCall, type RatedLevel } from '../../rate-plans/rate-plans.api';
import { maxAffordableSeconds, priceCall } from '../../rate-plans/domain/price-call';
import { SystemApi } from '../../system/system.api';
import { TelephonyApi } from '../../telephony/telephony.api';
import { BalanceWatcher, type BalanceChange } from '../balance-watcher';
import {
  billingTypeAllowsCalls,
  callsDebitBalance,
  includedSecondsFor,
  levelFunds,
  localDay,
  reachesDailyLimit,
  REFUSAL_MESSAGES,
  spentOn,
  type RefusalReason,
} from '../domain/call-control';
import { LedgerRepository } from '../ledger.repository';
import type { LedgerTransactionEntity } from '../entities/ledger-transaction.entity';
import { CallsRepository, type BalanceRow, type CallLevelRow, type CallRow, type EndedCall, type NewCall } from './calls.repository';
import { AuthorizeDto, CdrDto, type AuthorizationDto, type CallChargeDto, type CdrResultDto } from './dto/calls.dto';

/** The longest call a CDR may report: a day (longer is a broken switch clock, not a call). */
export const MAX_CDR_SECONDS = 24 * 3600;
/** Items of one CDR batch. */
export const MAX_BATCH_ITEMS = 1000;
/** How long effective plan limits are kept: a plan's limit change reaches call control within this bound. */
const LIMITS_TTL_MS = 5000;
/** Runs of one CDR unit that may lose an insert race to copies of its calls (each loss means progress). */
const MAX_INSERT_RACES = 10;
/** Optimistic reservations tried before an authorisation locks the balance rows up front. */
const MAX_OPTIMISTIC_RESERVES = 3;
/** Bound of the remembered customer paths (a few dozen bytes each). */
const MAX_REMEMBERED_PATHS = 500_000;
export const CALL_EXPIRY_JOB = 'billing-call-expiry';
export const DAILY_UNLOCK_JOB = 'billing-daily-limit-unlock';
const DAILY_LOCK_REASON = (day: string) => `Daily spend limit reached on ${day}`;

interface Limits {
  maxConcurrent: number | null;
  daily: Money | null;
}

/** A CDR item after validation, its customer found in the caller's tree. */
interface ParsedCdr {
  index: number;
  callRef: string;
  customerId: number;
  caller: string;
  called: string;
  direction: 'outbound' | 'inbound';
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date;
  duration: number;
  hash: string;
}

/** One refusal, the answer of authorize when the call may not go ahead. */
const refusal = (reason: RefusalReason, customerId?: number): AuthorizationDto => ({
  allowed: false,
  reason,
  code: reason,
  message: REFUSAL_MESSAGES[reason],
  ...(customerId !== undefined ? { customerId } : {}),
});

const sha256 = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');
const keyOf = (customerId: number, callRef: string) => `${customerId}\u0000${callRef}`;

/** Thrown inside an authorisation when a balance changed between its read and the conditional reservation: run again. */
class ReservationRace extends Error {}

/** Thrown inside a CDR transaction when a concurrent copy inserted the same call first: the whole unit runs again (and replays). */
class CallInsertRace extends Error {}

/**
 * Real-time call control (DOMAIN.md §5): authorising calls with a maximum duration and a reservation on
 * every charged level's balance, and charging CDRs at every level exactly once.
 *
 * Concurrency: every unit that changes a balance locks the balance rows it touches in one statement, in
 * primary-key order (CallsRepository.lockBalances), and computes from the values it read under that lock;
 * a call row is read with FOR UPDATE and (customer, call id) is unique, so two copies of one CDR cannot
 * both charge. SQLite runs one transaction at a time (TransactionRunner).
 */
@Injectable()
export class CallControlService implements OnModuleInit {
  private limitsCache = new Map<number, { at: number; limits: Limits }>();
  /** Customers' materialised paths by id: they never change once a customer exists. */
  private readonly paths = new Map<number, string>();

  constructor(
    private readonly repo: CallsRepository,
    private readonly ledger: LedgerRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly customers: CustomersApi,
    private readonly ratePlans: RatePlansApi,
    private readonly rating: RatingService,
    private readonly system: SystemApi,
    private readonly telephony: TelephonyApi,
    private readonly outbox: OutboxService,
    private readonly watcher: BalanceWatcher,
    private readonly jobs: JobRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register({ name: CALL_EXPIRY_JOB, everyMs: 30_000, leaseMs: 120_000, run: async () => void (await this.expireCalls()) });
    this.jobs.register({ name: DAILY_UNLOCK_JOB, everyMs: 60_000, leaseMs: 120_000, run: async () => void (await this.liftDailyLocks()) });
  }

  // ---------------------------------------------------------------------------------------------------
  // Authorize

  async authorize(scope: Scope, dto: AuthorizeDto): Promise<AuthorizationDto> {
    assertSwitch(scope);
    const now = this.clock.now();
    const em = this.repo.reader;
    const chain = await this.chainInScope(em, scope, dto);
    assertSwitchOwner(scope, chain);
    const me = chain[chain.length - 1];
    if (chain.some((p) => p.deleted || p.lockedCalls)) return refusal('locked', me.id);
    if (!billingTypeAllowsCalls(me.billingType)) return refusal('billing_type', me.id);
    const profiles = new Map(chain.map((p) => [p.id, p]));
    let rated: RatedCall;
    try {
      rated = await this.rating.rateChain(me, profiles, { number: digits(dto.called), direction: dto.direction, at: now }, em);
    } catch (err) {
      if (err instanceof NoRateError) return refusal('no_rate', me.id);
      throw err;
    }
    const limits = await this.limitsOf(em, chain);
    const charged = rated.levels.filter((l) => !l.cost && callsDebitBalance(profiles.get(l.customerId)!.billingType));
    const counted = chain.filter((p) => limits.get(p.id)!.maxConcurrent !== null);
    const hash = sha256({ direction: dto.direction, caller: digits(dto.caller), called: digits(dto.called) });

    for (let attempt = 1; ; attempt++) {
      try {
        const locking = attempt >= MAX_OPTIMISTIC_RESERVES;
        return await this.tx.run((em) => this.reserve(em, scope, dto, me, chain, profiles, limits, charged, counted, hash, now, locking));
      } catch (err) {
        if (err instanceof ReservationRace && attempt < MAX_OPTIMISTIC_RESERVES) continue;
        if (!(err instanceof CallInsertRace) || attempt >= MAX_OPTIMISTIC_RESERVES + 2) throw err;
      }
    }
  }

  /** The authorisation's transaction: check the locked balances and counts, then reserve and record the call. */
  private async reserve(
    em: EntityManager,
    scope: Scope,
    dto: AuthorizeDto,
    me: BillingProfile,
    chain: BillingProfile[],
    profiles: Map<number, BillingProfile>,
    limits: Map<number, Limits>,
    charged: RatedLevel[],
    counted: BillingProfile[],
    hash: string,
    now: Date,
    locking: boolean,
  ): Promise<AuthorizationDto> {
    const cap = this.config.callMaxSeconds;
    // A plain read: a locking read of a call id that does not exist would lock the index gap (see lockCalls).
    const [existing] = await this.repo.findCalls(em, [{ customerId: me.id, callRef: dto.callId }]);
    if (existing) return this.repeatedAuthorization(existing, hash);

    // Optimistic (the usual way): the balances are read without a lock and the reservation is one
    // conditional UPDATE right before COMMIT, so a reseller's row is held for one round trip instead
    // of five. When another call changed a row in between so that the condition fails, the unit runs
    // again; the last attempt locks the rows from the start (`locking`), which always settles it.
    const rows = await this.repo.lockBalances(em, [...charged.map((l) => l.customerId), ...counted.map((p) => p.id)], now, locking);
    for (const p of counted) {
      if (rows.get(p.id)!.activeCalls >= limits.get(p.id)!.maxConcurrent!) return refusal('concurrent_limit', me.id);
    }
    // The longest call every charged level can pay, each from what it may still spend.
    let maxDuration = cap;
    for (const level of charged) {
      const p = profiles.get(level.customerId)!;
      const row = rows.get(p.id)!;
      const day = localDay(now, p.timezone);
      const verdict = levelFunds({
        balance: row.balance,
        reserved: row.reserved,
        creditLimit: p.creditLimit,
        dailyLimit: limits.get(p.id)!.daily,
        spentToday: spentOn(row.spentToday, row.spentDay, day),
      });
      if (!verdict.ok) return refusal(verdict.reason, me.id);
      const available = (await this.convert(em, verdict.available, p.currency, level.currency ?? p.currency, now)).amount;
      const seconds = level.rate ? maxAffordableSeconds(level.rate, available, level.precision, cap) : cap;
      if (seconds < 1) return refusal(verdict.dailyBinds ? 'daily_limit' : 'no_credit', me.id);
      maxDuration = Math.min(maxDuration, seconds);
    }

    // Reserve each charged level's price of the longest call; count the call where a limit counts it.
    const levelRows = new Map<number, CallLevelRow>();
    const changed: BalanceRow[] = [];
    for (const [depth, level] of charged.entries()) {
      const p = profiles.get(level.customerId)!;
      const price = level.rate ? priceCall(level.rate, maxDuration, true, level.precision) : Money.ZERO;
      const reserved = (await this.convert(em, price, level.currency ?? p.currency, p.currency, now)).amount;
      const row = rows.get(p.id)!;
      row.reserved = row.reserved.plus(reserved);
      changed.push(row);
      levelRows.set(p.id, emptyLevel(0, p.id, depthOf(chain, p.id, depth), 'charge', reserved));
    }
    for (const p of counted) {
      const row = rows.get(p.id)!;
      row.activeCalls += 1;
      if (!changed.includes(row)) changed.push(row);
      const level = levelRows.get(p.id) ?? emptyLevel(0, p.id, depthOf(chain, p.id, 0), 'free', Money.ZERO);
      level.counted = true;
      levelRows.set(p.id, level);
    }
    const call: NewCall = {
      customerId: me.id,
      callRef: dto.callId,
      switchCustomerId: scope.customerId,
      direction: dto.direction,
      caller: digits(dto.caller),
      called: digits(dto.called),
      status: 'active',
      authorizedAt: now,
      expiresAt: new Date(now.getTime() + (maxDuration + this.config.callGraceSeconds) * 1000),
      maxDuration,
      startedAt: null,
      answeredAt: null,
      endedAt: null,
      duration: null,
      billingReference: me.billingReference,
      authorizeHash: hash,
      cdrHash: null,
      result: null,
      createdAt: now,
    };
    let id: number;
    try {
      id = await this.repo.insertCall(em, call);
    } catch (err) {
      // Two copies of one authorisation raced: the other one made the call; run again to answer as a repeat.
      if (isUniqueViolation(err)) throw new CallInsertRace();
      throw err;
    }
    await this.repo.replaceLevels(
      em,
      [],
      [...levelRows.values()].map((l) => ({ ...l, callId: id })),
    );
    if (locking) await this.repo.writeBalances(em, changed, now);
    else {
      const reservations = changed.map((row) => {
        const p = profiles.get(row.customerId)!;
        const level = levelRows.get(row.customerId)!;
        const limit = limits.get(row.customerId)!;
        return {
          customerId: row.customerId,
          reserve: level.reserved,
          count: level.counted ? 1 : 0,
          charged: level.kind === 'charge',
          creditLimit: p.creditLimit,
          maxConcurrent: level.counted ? limit.maxConcurrent : null,
          dailyLimit: level.kind === 'charge' ? limit.daily : null,
          day: localDay(now, p.timezone),
        };
      });
      if (!(await this.repo.reserve(em, reservations, now))) throw new ReservationRace();
    }
    return { allowed: true, maxDurationSeconds: maxDuration, customerId: me.id };
  }

  /** An authorisation for a call id the customer already has: the same answer while it is up with the same data, else 409. */
  private repeatedAuthorization(existing: CallRow, hash: string): AuthorizationDto {
    if (existing.status !== 'active')
      throw new ConflictError(`call ${existing.callRef} has already ${existing.status === 'ended' ? 'ended' : 'expired'}`);
    if (existing.authorizeHash !== hash) throw new ConflictError(`call id ${existing.callRef} was authorised with other data`);
    return { allowed: true, maxDurationSeconds: existing.maxDuration ?? 0, customerId: existing.customerId };
  }

  // ---------------------------------------------------------------------------------------------------
  // CDRs

  /** One CDR: charged at every level once; a replay answers the first result. */
  async postCdr(scope: Scope, dto: CdrDto): Promise<CdrResultDto> {
    const [result] = await this.postCdrs(scope, [dto], false);
    return result;
  }

  /**
   * A batch of CDRs (an array of CdrDto-shaped items): every item is checked first and any bad item
   * refuses the whole batch (400/404/409/422 with `details` naming each bad item by index, e.g.
   * `[3].called`); otherwise all items are charged in one transaction, so all or none are applied.
   */
  async postCdrBatch(scope: Scope, body: unknown): Promise<CdrResultDto[]> {
    if (!Array.isArray(body)) throw ValidationError.field('body', 'must be a JSON array of CDRs');
    if (body.length === 0 || body.length > MAX_BATCH_ITEMS) throw ValidationError.field('body', `must hold 1 to ${MAX_BATCH_ITEMS} CDRs`);
    const details: FieldError[] = [];
    const items: CdrDto[] = [];
    const now = this.clock.now();
    body.forEach((raw, index) => {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        details.push({ field: `[${index}]`, message: 'must be a CDR object' });
        return;
      }
      const dto = plainToInstance(CdrDto, raw);
      const errors = fieldErrors(
        validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } }),
      );
      for (const e of errors.length ? errors : cdrProblems(dto, now)) details.push({ field: `[${index}].${e.field}`, message: e.message });
      items.push(dto);
    });
    if (details.length) throw new ValidationError(`${details.length} problem(s) in the batch; nothing was applied`, details);
    return this.postCdrs(scope, items, true);
  }

  private async postCdrs(scope: Scope, dtos: CdrDto[], batch: boolean): Promise<CdrResultDto[]> {
    assertSwitch(scope);
    const em = this.repo.reader;
    const field = (index: number, name: string) => (batch ? `[${index}].${name}` : name);
    const parsed = await this.parseCdrs(em, scope, dtos, field);

    // Rate every item first (reads only): a bad item refuses the batch before anything is locked.
    const allIds = [...new Set(parsed.flatMap((c) => c.path))];
    const profiles = await this.customers.billingProfiles(em, allIds);
    assertSwitchOwner(scope, [...profiles.values()]);
    const rated = new Map<number, RatedCall>();
    const noRate: FieldError[] = [];
    for (const c of parsed) {
      if (c.duration === 0) continue;
      try {
        rated.set(
          c.index,
          await this.rating.rateChain(
            { id: c.customerId, path: c.pathText },
            profiles,
            { number: c.called, direction: c.direction, at: c.startedAt, duration: c.duration },
            em,
          ),
        );
      } catch (err) {
        if (!(err instanceof NoRateError)) throw err;
        noRate.push({ field: field(c.index, 'called'), message: `no_rate: ${err.message.replace(/^no_rate: /, '')}` });
      }
    }
    if (noRate.length) throw new NoRateBatchError(noRate, batch);
    const limits = await this.limitsOf(em, [...profiles.values()]);

    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tx.run((em) => this.chargeCdrs(em, scope, parsed, rated, profiles, limits, field));
      } catch (err) {
        // Each race lost means another request committed some of these calls: the next run replays them.
        if (!(err instanceof CallInsertRace) || attempt >= MAX_INSERT_RACES) throw err;
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 5 * attempt)));
      }
    }
  }

  private async parseCdrs(
    em: EntityManager,
    scope: Scope,
    dtos: CdrDto[],
    field: (i: number, name: string) => string,
  ): Promise<Array<ParsedCdr & { path: number[]; pathText: string }>> {
    const now = this.clock.now();
    const details: FieldError[] = [];
    const bad = (index: number, name: string, message: string) => details.push({ field: field(index, name), message });
    const out: Array<ParsedCdr & { path: number[]; pathText: string }> = [];
    const notFound: FieldError[] = [];
    const owners = new Map<string, number | null>();
    const paths = await this.pathsOf(
      em,
      dtos.map((d) => d.customerId ?? 0),
    );
    for (const [index, d] of dtos.entries()) {
      const problems = cdrProblems(d, now);
      for (const p of problems) bad(index, p.field, p.message);
      if (problems.length) continue;
      const startedAt = new Date(d.startedAt);
      const endedAt = new Date(d.endedAt);
      const answeredAt = d.answeredAt === null ? null : new Date(d.answeredAt);
      const duration = answeredAt ? Math.ceil((endedAt.getTime() - answeredAt.getTime()) / 1000) : 0;

      let customerId: number | null = d.customerId ?? null;
      if (d.sipAccount !== undefined) {
        const key = d.sipAccount.toLowerCase();
        if (!owners.has(key)) owners.set(key, await this.telephony.sipAccountOwner(em, d.sipAccount));
        customerId = owners.get(key) ?? null;
      }
      const path = customerId === null ? undefined : (paths.get(customerId) ?? (await this.pathsOf(em, [customerId])).get(customerId));
      const ref = customerId === null || path === undefined ? undefined : { id: customerId, path };
      if (!ref || !isInSubtree(scope.customerPath, ref.path)) {
        notFound.push({ field: field(index, d.sipAccount !== undefined ? 'sipAccount' : 'customerId'), message: 'not found' });
        continue;
      }
      const caller = digits(d.caller);
      const called = digits(d.called);
      const hash = sha256({
        direction: d.direction,
        caller,
        called,
        startedAt: startedAt.toISOString(),
        answeredAt: answeredAt?.toISOString() ?? null,
        endedAt: endedAt.toISOString(),
      });
      out.push({
        index,
        callRef: d.callId,
        customerId: ref.id,
        caller,
        called,
        direction: d.direction,
        startedAt,
        answeredAt,
        endedAt,
        duration,
        hash,
        path: pathIds(ref.path),
        pathText: ref.path,
      });
    }
    if (details.length) throw new ValidationError(details.map((x) => `${x.field}: ${x.message}`).join('; '), details);
    if (notFound.length) throw new ItemsNotFoundError(notFound);
    return out;
  }

  private async chargeCdrs(
    em: EntityManager,
    scope: Scope,
    items: Array<ParsedCdr & { path: number[]; pathText: string }>,
    rated: Map<number, RatedCall>,
    profiles: Map<number, BillingProfile>,
    limits: Map<number, Limits>,
    field: (i: number, name: string) => string,
  ): Promise<CdrResultDto[]> {
    const now = this.clock.now();
    // Calls that exist are locked by primary key and read again (their latest state); new ones are
    // inserted below, where the unique (customer, call id) stops a racing copy.
    const seen = await this.repo.findCalls(
      em,
      items.map((c) => ({ customerId: c.customerId, callRef: c.callRef })),
    );
    const existing = new Map(
      (
        await this.repo.lockCalls(
          em,
          seen.map((r) => r.id),
        )
      ).map((r) => [keyOf(r.customerId, r.callRef), r]),
    );
    const results: Array<CdrResultDto | null> = items.map(() => null);
    const conflicts: FieldError[] = [];
    const firstInBatch = new Map<string, ParsedCdr>();
    const toCharge: Array<ParsedCdr & { path: number[]; pathText: string }> = [];
    for (const c of items) {
      const key = keyOf(c.customerId, c.callRef);
      const row = existing.get(key);
      const earlier = firstInBatch.get(key);
      if (row?.status === 'ended') {
        if (row.cdrHash !== c.hash)
          conflicts.push({ field: field(c.index, 'callId'), message: `call ${c.callRef} was reported before with other data` });
        else results[items.indexOf(c)] = { ...(JSON.parse(row.result ?? '{}') as CdrResultDto), replayed: true };
      } else if (earlier) {
        if (earlier.hash !== c.hash)
          conflicts.push({ field: field(c.index, 'callId'), message: `call ${c.callRef} appears twice in the batch with other data` });
      } else {
        firstInBatch.set(key, c);
        toCharge.push(c);
      }
    }
    if (conflicts.length) throw new ConflictError(conflicts.map((x) => `${x.field}: ${x.message}`).join('; '), conflicts);

    // New calls are inserted first: a copy of one of them racing in another transaction fails here, and the
    // unit runs again to find it ended (a replay).
    // In key order, so that two batches holding the same new calls insert them in the same order.
    const fresh = toCharge
      .filter((c) => !existing.has(keyOf(c.customerId, c.callRef)))
      .sort((a, b) => a.customerId - b.customerId || (a.callRef < b.callRef ? -1 : a.callRef > b.callRef ? 1 : 0));
    try {
      await this.repo.insertCalls(
        em,
        fresh.map((c) => this.newEndedCall(scope, c, profiles.get(c.customerId)!)),
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw new CallInsertRace();
      throw err;
    }
    // The ids of the new calls (the existing ones were read above).
    const ids = new Map(existing);
    for (const r of await this.repo.findCalls(
      em,
      fresh.map((c) => ({ customerId: c.customerId, callRef: c.callRef })),
    ))
      ids.set(keyOf(r.customerId, r.callRef), r);
    const authorised = toCharge.map((c) => existing.get(keyOf(c.customerId, c.callRef))).filter((r): r is CallRow => !!r);
    const held = await this.repo.levelsOf(
      em,
      authorised.filter((r) => r.status === 'active').map((r) => r.id),
    );

    // Lock every balance the batch touches, once, in key order.
    const chargedIds = new Set<number>(held.map((l) => l.customerId));
    for (const c of toCharge)
      for (const l of rated.get(c.index)?.levels ?? [])
        if (!l.cost && callsDebitBalance(profiles.get(l.customerId)!.billingType)) chargedIds.add(l.customerId);
    const rows = await this.repo.lockBalances(em, [...chargedIds], now);
    const startBalance = new Map([...rows.values()].map((r) => [r.customerId, r.balance]));

    // Release what authorisation held.
    for (const l of held) {
      const row = rows.get(l.customerId)!;
      row.reserved = Money.max(Money.ZERO, row.reserved.minus(l.reserved));
      if (l.counted) row.activeCalls = Math.max(0, row.activeCalls - 1);
    }

    const ledgerRows: Array<Omit<LedgerTransactionEntity, 'id'>> = [];
    const levelRows: CallLevelRow[] = [];
    const ended: EndedCall[] = [];
    const crossings: Array<{ profile: BillingProfile; day: string; spent: Money; limit: Money }> = [];
    for (const c of toCharge) {
      const call = ids.get(keyOf(c.customerId, c.callRef))!;
      const me = profiles.get(c.customerId)!;
      const charges: CallChargeDto[] = [];
      const levels = rated.get(c.index)?.levels ?? [];
      for (const [depth, level] of levels.entries()) {
        if (level.price === null) continue;
        const p = profiles.get(level.customerId)!;
        const kind: CallLevelRow['kind'] = level.cost ? 'cost' : callsDebitBalance(p.billingType) ? 'charge' : 'free';
        const planCurrency = level.currency ?? p.currency;
        // Included seconds of the level's plan make the first seconds of each period free at that level.
        let price = level.price;
        if (kind === 'charge' && level.rate && level.billingPeriod && level.includedSeconds > 0) {
          const row = rows.get(p.id)!;
          const included = includedSecondsFor(row.includedUsed, row.includedPeriod, level.includedSeconds, level.billingPeriod, localDay(now, p.timezone), c.duration);
          if (included.free > 0) price = priceCall(level.rate, c.duration - included.free, true, level.precision);
          row.includedUsed = included.used;
          row.includedPeriod = included.period;
        }
        const conversion = level.cost ? null : await this.convert(em, price, planCurrency, p.currency, now);
        const amount = conversion ? conversion.amount : price;
        const currency = level.cost ? planCurrency : p.currency;
        const converted = conversion && planCurrency !== p.currency;
        levelRows.push({
          ...emptyLevel(call.id, level.customerId, depth, kind, Money.ZERO),
          amount,
          currency,
          originalAmount: converted ? price : null,
          originalCurrency: converted ? planCurrency : null,
          exchangeRate: converted ? conversion.rate.toString() : null,
          ratePlanId: level.ratePlanId,
          rateId: level.rateId,
          destination: level.rate?.destination.slice(0, 100) ?? null,
        });
        charges.push({ customerId: level.customerId, depth, kind, amount: amount.toString(), currency, ratePlanId: level.ratePlanId });
        if (kind !== 'charge' || amount.isZero()) continue;
        const row = rows.get(p.id)!;
        row.balance = row.balance.minus(amount);
        const day = localDay(now, p.timezone);
        const spentBefore = spentOn(row.spentToday, row.spentDay, day);
        row.spentToday = spentBefore.plus(amount);
        row.spentDay = day;
        const limit = limits.get(p.id)?.daily ?? null;
        if (reachesDailyLimit(limit, spentBefore, row.spentToday))
          crossings.push({ profile: p, day, spent: row.spentToday, limit: limit! });
        ledgerRows.push({
          customerId: p.id,
          type: 'call',
          amount: amount.negated(),
          currency: p.currency,
          originalAmount: converted ? price.negated() : null,
          originalCurrency: converted ? planCurrency : null,
          exchangeRate: converted ? conversion.rate.toString() : null,
          description: `Call ${c.direction === 'inbound' ? 'from' : 'to'} ${c.direction === 'inbound' ? c.caller : c.called} (${c.duration} s)`,
          reference: c.callRef.slice(0, 100),
          actorPersonId: null,
          callId: call.id,
          invoiceId: null,
          createdAt: now,
        });
      }
      const result: CdrResultDto = {
        callId: c.callRef,
        customerId: c.customerId,
        durationSeconds: c.duration,
        billingReference: me.billingReference,
        charges,
        replayed: false,
      };
      ended.push({
        id: call.id,
        startedAt: c.startedAt,
        answeredAt: c.answeredAt,
        endedAt: c.endedAt,
        duration: c.duration,
        billingReference: me.billingReference,
        cdrHash: c.hash,
        result: JSON.stringify(result),
      });
      results[items.indexOf(c)] = result;
    }

    // Copies of a call inside the batch answer the first copy's result, as replays.
    for (const [i, c] of items.entries()) {
      if (results[i]) continue;
      const first = items.findIndex((o) => o.customerId === c.customerId && o.callRef === c.callRef);
      results[i] = { ...results[first]!, replayed: true };
    }

    // Authorised calls end here; fresh ones were inserted ended, and get their answer here too.
    await this.repo.endCalls(em, ended, now);
    await this.repo.replaceLevels(
      em,
      ended.map((e) => e.id),
      levelRows,
    );
    await this.repo.writeBalances(em, [...rows.values()], now);
    await this.ledger.insertTransactions(em, ledgerRows);
    const changes: BalanceChange[] = [...rows.values()]
      .filter((r) => !r.balance.equals(startBalance.get(r.customerId)!))
      .map((r) => ({
        customerId: r.customerId,
        before: startBalance.get(r.customerId)!,
        after: r.balance,
        currency: profiles.get(r.customerId)!.currency,
      }));
    if (changes.length) await this.watcher.afterChange(em, changes);
    for (const x of crossings) await this.lockForDailyLimit(em, x.profile, x.day, x.spent, x.limit, now);
    return results as CdrResultDto[];
  }

  private newEndedCall(scope: Scope, c: ParsedCdr, me: BillingProfile): NewCall {
    const now = this.clock.now();
    return {
      customerId: c.customerId,
      callRef: c.callRef,
      switchCustomerId: scope.customerId,
      direction: c.direction,
      caller: c.caller,
      called: c.called,
      status: 'ended',
      authorizedAt: null,
      expiresAt: null,
      maxDuration: null,
      startedAt: c.startedAt,
      answeredAt: c.answeredAt,
      endedAt: c.endedAt,
      duration: c.duration,
      billingReference: me.billingReference,
      authorizeHash: null,
      cdrHash: c.hash,
      result: null,
      createdAt: now,
    };
  }

  /** The daily spend limit was reached: lock the customer from calls with the reason, note it for the unlock, email it and its parent. */
  private async lockForDailyLimit(em: EntityManager, p: BillingProfile, day: string, spent: Money, limit: Money, now: Date): Promise<void> {
    const locked = await this.customers.lockCalls(em, p.id, DAILY_LOCK_REASON(day), now);
    if (!locked) return;
    await this.repo.recordDailyLimitLock(em, p.id, day, now);
    const context = { customerName: p.name, dailyLimit: limit.toString(), spentToday: spent.toString(), currency: p.currency, day };
    const subject = `Daily spend limit reached: ${p.name}`;
    await this.outbox.enqueue(em, {
      customerId: p.id,
      to: p.email,
      subject,
      template: 'daily-limit-reached',
      context: { ...context, forParent: false },
    });
    const parent = p.parentId === null ? undefined : (await this.customers.billingProfiles(em, [p.parentId])).get(p.parentId);
    if (parent) {
      await this.outbox.enqueue(em, {
        customerId: parent.id,
        to: parent.email,
        subject,
        template: 'daily-limit-reached',
        context: { ...context, forParent: true },
      });
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Jobs

  /** Releases the reservations of calls whose maximum duration and grace passed without a CDR. Returns how many. */
  async expireCalls(): Promise<number> {
    const now = this.clock.now();
    let done = 0;
    for (;;) {
      const ids = await this.repo.expiredCallIds(this.repo.reader, now, 200);
      if (!ids.length) return done;
      for (const id of ids) {
        await this.tx.run(async (em) => {
          const call = await this.repo.lockActiveCall(em, id);
          if (!call) return;
          const levels = await this.repo.levelsOf(em, [id]);
          const rows = await this.repo.lockBalances(
            em,
            levels.filter((l) => l.counted || !l.reserved.isZero()).map((l) => l.customerId),
            now,
          );
          for (const l of levels) {
            const row = rows.get(l.customerId);
            if (!row) continue;
            row.reserved = Money.max(Money.ZERO, row.reserved.minus(l.reserved));
            if (l.counted) row.activeCalls = Math.max(0, row.activeCalls - 1);
          }
          await this.repo.writeBalances(em, [...rows.values()], now);
          await this.repo.setCallStatus(em, [id], 'expired', now);
        });
        done++;
      }
    }
  }

  /** Lifts the locks the daily spend limit set, once the customer's day is over (and the reason is still that). */
  async liftDailyLocks(): Promise<number> {
    const now = this.clock.now();
    const locks = await this.repo.dailyLimitLocks(this.repo.reader);
    if (!locks.length) return 0;
    const profiles = await this.customers.billingProfiles(
      this.repo.reader,
      locks.map((l) => l.customerId),
    );
    let lifted = 0;
    for (const lock of locks) {
      const p = profiles.get(lock.customerId);
      if (p && localDay(now, p.timezone) <= lock.day) continue;
      await this.tx.run(async (em) => {
        if (await this.customers.unlockCalls(em, lock.customerId, DAILY_LOCK_REASON(lock.day), now)) lifted++;
        await this.repo.dropDailyLimitLock(em, lock.customerId, lock.day);
      });
    }
    return lifted;
  }

  // ---------------------------------------------------------------------------------------------------
  // Helpers

  /**
   * The calling customer (by id or SIP account) and its ancestors, root first, in one read when its path is
   * known: paths never change once a customer exists, so they are remembered. 404 outside the caller's
   * tree, for a deleted customer, or an unknown one; a missing ancestor counts as deleted (refused locked).
   */
  private async chainInScope(
    em: EntityManager,
    scope: Scope,
    dto: { customerId?: number; sipAccount?: string },
  ): Promise<BillingProfile[]> {
    if ((dto.customerId === undefined) === (dto.sipAccount === undefined)) {
      throw ValidationError.field('customerId', 'give exactly one of customerId and sipAccount');
    }
    const id = dto.customerId ?? (await this.telephony.sipAccountOwner(em, dto.sipAccount!));
    if (id === null) throw new NotFoundError('SIP account');
    const path = (await this.pathsOf(em, [id])).get(id);
    if (path === undefined) throw new NotFoundError('customer');
    if (!isInSubtree(scope.customerPath, path)) throw new NotFoundError('customer');
    const ids = pathIds(path);
    const found = await this.customers.billingProfiles(em, ids);
    const me = found.get(id);
    if (!me || me.deleted) throw new NotFoundError('customer');
    return ids.map((i) => found.get(i) ?? { ...me, id: i, deleted: true });
  }

  /** Customers' paths by id, remembered (they never change); unknown ids are left out. */
  private async pathsOf(em: EntityManager, ids: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    const unknown: number[] = [];
    for (const id of new Set(ids)) {
      const path = this.paths.get(id);
      if (path !== undefined) out.set(id, path);
      else if (Number.isSafeInteger(id) && id > 0) unknown.push(id);
    }
    if (unknown.length) {
      for (const p of (await this.customers.billingProfiles(em, unknown)).values()) {
        out.set(p.id, p.path);
        if (pathIds(p.path).at(-1) === p.id) {
          if (this.paths.size >= MAX_REMEMBERED_PATHS) this.paths.clear();
          this.paths.set(p.id, p.path);
        }
      }
    }
    return out;
  }

  /** Effective concurrent-call and daily spend limits: the customer's own, else its rate plan's (cached briefly). */
  private async limitsOf(em: EntityManager, profiles: BillingProfile[]): Promise<Map<number, Limits>> {
    const out = new Map<number, Limits>();
    // A monotonic clock: the cache's age is real elapsed time, whatever the (test) clock says.
    const nowMs = performance.now();
    for (const p of profiles) {
      let plan: Limits = { maxConcurrent: null, daily: null };
      if ((p.ownMaxConcurrentCalls === null || p.ownDailySpendLimit === null) && p.ratePlanId !== null) {
        const cached = this.limitsCache.get(p.ratePlanId);
        if (cached && nowMs - cached.at < LIMITS_TTL_MS) plan = cached.limits;
        else {
          const s = await this.ratePlans.effectivePlanSettings(em, p.ratePlanId);
          plan = {
            maxConcurrent: s && s.maxConcurrentCalls !== 'unlimited' ? s.maxConcurrentCalls : null,
            daily: s && s.dailySpendLimit !== 'unlimited' ? s.dailySpendLimit : null,
          };
          this.limitsCache.set(p.ratePlanId, { at: nowMs, limits: plan });
        }
      }
      const own = { concurrent: p.ownMaxConcurrentCalls, daily: p.ownDailySpendLimit };
      out.set(p.id, {
        maxConcurrent: own.concurrent === null ? plan.maxConcurrent : own.concurrent === 'unlimited' ? null : own.concurrent,
        daily: own.daily === null ? plan.daily : own.daily === 'unlimited' ? null : own.daily,
      });
    }
    return out;
  }

  private convert(em: EntityManager, amount: Money, from: string, to: string, at: Date) {
    return this.system.convert(em, amount, from, to, at);
  }
}

/**
 * What is wrong with a CDR whose fields are each well-formed: times out of order, a start in the future or
 * before 2000, a duration beyond a day, both or neither of customerId and sipAccount.
 */
export function cdrProblems(d: CdrDto, now: Date): FieldError[] {
  const out: FieldError[] = [];
  if ((d.customerId === undefined) === (d.sipAccount === undefined))
    out.push({ field: 'customerId', message: 'give exactly one of customerId and sipAccount' });
  const startedAt = new Date(d.startedAt);
  const endedAt = new Date(d.endedAt);
  const answeredAt = d.answeredAt === null ? null : new Date(d.answeredAt);
  if (startedAt.getTime() > now.getTime() + 300_000) out.push({ field: 'startedAt', message: 'is in the future' });
  if (startedAt.getUTCFullYear() < 2000) out.push({ field: 'startedAt', message: 'is before the year 2000' });
  if (endedAt < startedAt) out.push({ field: 'endedAt', message: 'must not be before startedAt' });
  else if (endedAt.getTime() - startedAt.getTime() > 2 * MAX_CDR_SECONDS * 1000)
    out.push({ field: 'endedAt', message: 'is too long after startedAt' });
  if (answeredAt && (answeredAt < startedAt || answeredAt > endedAt))
    out.push({ field: 'answeredAt', message: 'must lie between startedAt and endedAt' });
  const duration = answeredAt ? Math.ceil((endedAt.getTime() - answeredAt.getTime()) / 1000) : 0;
  if (duration > MAX_CDR_SECONDS)
    out.push({ field: 'endedAt', message: `the call would have lasted more than ${MAX_CDR_SECONDS} seconds` });
  return out;
}

/** 404 naming the items whose customer or SIP account is unknown or outside the caller's tree. */
class ItemsNotFoundError extends NotFoundError {
  constructor(details: FieldError[]) {
    super(details.length === 1 && !details[0].field.startsWith('[') ? 'customer' : `the customer of ${details.length} item(s)`);
    (this as { details: FieldError[] }).details = details;
  }
}

/** 422 `no_rate` naming the items (or the field) without a rate. */
class NoRateBatchError extends NoRateError {
  constructor(details: FieldError[], batch: boolean) {
    super(0, batch ? `${details.length} item(s) have no rate; nothing was applied` : details[0].message.replace(/^no_rate: /, ''));
    (this as { details: FieldError[] }).details = details;
  }
}

/** Switches call with an API key (or an administrator's token) of a customer; users cannot. */
function assertSwitch(scope: Scope): void {
  if (scope.role !== 'administrator') throw new ForbiddenError('call control needs an administrator or an API key');
}

/**
 * Only the system owner's or a reseller's keys report calls: a customer that could post its own CDRs could
 * choose its own charges. The caller's customer is on the chain of every customer it may name.
 */
function assertSwitchOwner(scope: Scope, chain: readonly BillingProfile[]): void {
  const own = chain.find((p) => p.id === scope.customerId);
  if (own && !own.reseller && own.parentId !== null) {
    throw new ForbiddenError('only the system owner and resellers report calls (a customer cannot charge its own calls)');
  }
}

const digits = (n: string) => n.trim().replace(/^\+/, '');

function depthOf(chain: BillingProfile[], customerId: number, fallback: number): number {
  const i = chain.findIndex((p) => p.id === customerId);
  return i < 0 ? fallback : chain.length - 1 - i;
}

function emptyLevel(callId: number, customerId: number, depth: number, kind: CallLevelRow['kind'], reserved: Money): CallLevelRow {
  return {
    callId,
    customerId,
    depth,
    kind,
    counted: false,
    reserved,
    amount: null,
    currency: null,
    originalAmount: null,
    originalCurrency: null,
    exchangeRate: null,
    ratePlanId: null,
    rateId: null,
    destination: null,
  };
}
