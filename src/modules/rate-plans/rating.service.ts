import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BusinessRuleError, type ErrorCode, NotFoundError, ValidationError } from '../../shared/errors';
import { Money } from '../../shared/money';
import { isInSubtree, type Scope } from '../../shared/scope';
import { CustomerDirectory, pathIds, type CustomerRef } from '../../shared/customer-directory';
import { convert, type ExchangeRateRow, type RateTable as ExchangeTable } from '../system/domain/exchange';
import { SystemApi, type SystemSettings } from '../system/system.api';
import { normaliseDialledNumber } from './domain/dialled-number';
import { applyMarkup } from './domain/markup';
import { priceCall } from './domain/price-call';
import type { Direction, RateDefinition } from './domain/rate';
import { selectRate } from './domain/rate-selection';
import type { RatePlanEntity } from './entities/rate-plan.entity';
import type { BillingPeriod } from './entities/rate-plan.entity';
import { inheritanceChain, resolvePlanSettings, type EffectivePlanSettings } from './plan-settings';
import { RateIndexCache } from './rate-index-cache';
import { RatePlansRepository } from './rate-plans.repository';
import type { StoredRate } from './rates.repository';
import type { PriceLookupDto } from './dto/price.dto';

/**
 * How stale call control's view of the system settings and rate plan rows may be (RatingService.rateChain):
 * a change of a plan (its settings, markups, or its deck through the plan's rates version) or of the cost
 * plan reaches authorisation and CDR rating within this time; price lookups always read the rows.
 */
export const HOT_MAX_AGE_MS = 1000;

/** Where a level's rate came from. */
export type RateSource = 'own' | 'inherited' | 'markup';

export interface RatingQuery {
  /** Digits only (normalise with `normaliseNumber`). */
  number: string;
  direction: Direction;
  /** Start of the call; default: now. Picks the deck in force, validity and time bands. */
  at: Date;
  /** Seconds of an answered call; when given, each level's `price` is filled. */
  duration?: number;
}

/** One level of the chain: what this customer (or, for the cost level, the system owner) pays for the call. */
export interface RatedLevel {
  customerId: number;
  ratePlanId: number | null;
  currency: string | null;
  /** Decimal places of call prices at this level (the plan's effective precision). */
  precision: number;
  /** The rate in force at this level, in `currency`; null only for a cost level without a cost rate. */
  rate: RateDefinition | null;
  /** Id of the stored rate used (own, inherited or the one marked up), when there is one. */
  rateId: number | null;
  /** Plan the rate row belongs to (this level's plan, a plan it inherits from, or a plan above for markups). */
  rateFromPlanId: number | null;
  source: RateSource | null;
  /** true for the last level: the system owner's cost, from the cost plan (nobody is charged it). */
  cost: boolean;
  /** priceCall(rate, duration) at this level's precision, when a duration was given. */
  price: Money | null;
  /** Call seconds included per billing period by this level's plan (not for the cost level: 0). */
  includedSeconds: number;
  /** The plan's billing period, over which `includedSeconds` count (null for the cost level). */
  billingPeriod: BillingPeriod | null;
}

export interface RatedCall {
  number: string;
  direction: Direction;
  at: Date;
  duration: number | null;
  /** The customer first, then its ancestors up to the system owner's child, then the cost level. */
  levels: RatedLevel[];
}

/** 422 with reason `no_rate`: some level that would be charged has no rate for the destination. */
export class NoRateError extends BusinessRuleError {
  static override readonly defaultCode: ErrorCode = 'no_rate';
  readonly reason = 'no_rate';
  constructor(
    readonly customerId: number,
    message: string,
  ) {
    super(`no_rate: ${message}`, [{ field: 'number', message: 'no_rate' }]);
  }
}

/**
 * A number as people write it ("+44 (20) 7946-0000", "0044 20 7946 0000") → its digits (domain/dialled-number);
 * anything that is not a number is a 400.
 */
export function normaliseNumber(text: unknown, field = 'number'): string {
  const digits = typeof text === 'string' ? normaliseDialledNumber(text) : null;
  if (digits === null) {
    throw ValidationError.field(
      field,
      'must be a phone number: 1 to 32 digits, with + or 00 before the country code, spaces, dashes or brackets',
    );
  }
  return digits;
}

/** Customer id of the level priced for a plan rather than for a customer (RatingService.planPriceLookup). */
export const PLAN_LEVEL_ID = 0;

interface PlanCtx {
  plan: RatePlanEntity;
  chain: RatePlanEntity[];
  settings: EffectivePlanSettings;
}

/**
 * The rating engine: the price of a call at every level of the customer tree.
 *
 * Per level, the rate is the level plan's own rate (longest prefix, then priority, among rates whose
 * time band and validity cover the call's start; a plan that inherits another falls back to the
 * parent plan's rates prefix by prefix). Where the plan has no rate, the level's rate is the level
 * above's rate, converted to this plan's currency and marked up by this plan's markups. The top of the
 * chain is the system owner's cost plan (system_settings.costPlanId).
 *
 * Lookups read a handful of rows (customers of the chain, their plans, the settings) and then use the
 * cached in-memory indexes of RateIndexCache: no SQL per prefix.
 */
@Injectable()
export class RatingService {
  private hotSettings: { value: SystemSettings; at: number } | null = null;
  private readonly hotPlans = new Map<number, { plan: RatePlanEntity; at: number }>();

  constructor(
    private readonly plans: RatePlansRepository,
    private readonly cache: RateIndexCache,
    private readonly customers: CustomerDirectory,
    private readonly system: SystemApi,
  ) {}

  /**
   * Rates a call for `customerId` at every level, without tenancy checks (for call control). Throws
   * NotFoundError for an unknown customer and NoRateError when a charged level has no rate.
   */
  async rateCall(customerId: number, query: RatingQuery, em: EntityManager = this.plans.manager): Promise<RatedCall> {
    const customer = Number.isSafeInteger(customerId) && customerId > 0 ? await this.customers.find(em, customerId) : null;
    if (!customer) throw new NotFoundError('customer');
    return this.rateFor(em, customer, query);
  }

  /**
   * Rates a call for a customer whose chain the caller has read already (call control reads it with the
   * billing fields): `chain` maps every id of `customer.path` to its rate plan. Saves the lookups of rateCall.
   */
  rateChain(
    customer: { id: number; path: string },
    chain: ReadonlyMap<number, { ratePlanId: number | null }>,
    query: RatingQuery,
    em: EntityManager = this.plans.manager,
  ): Promise<RatedCall> {
    return this.rateFor(em, customer, query, chain, HOT_MAX_AGE_MS);
  }

  /**
   * The system settings, from memory when read less than `maxAgeMs` ago (0: always read). Call control
   * reads them on every call; a change of the cost plan or time zone reaches it within HOT_MAX_AGE_MS.
   */
  private async settingsFor(em: EntityManager, maxAgeMs: number): Promise<SystemSettings> {
    const now = performance.now(); // monotonic: a cache's age is real elapsed time
    if (maxAgeMs > 0 && this.hotSettings && now - this.hotSettings.at < maxAgeMs) return this.hotSettings.value;
    const value = await this.system.settings(em);
    this.hotSettings = { value, at: now };
    return value;
  }

  /**
   * Plans with the plans they inherit from, from memory when each plan of a chain was read less than
   * `maxAgeMs` ago (0: always read). A plan's row carries its rates version, so a deck change reaches call
   * control within HOT_MAX_AGE_MS; price lookups and everything else read the rows every time.
   */
  private async plansFor(em: EntityManager, ids: readonly number[], maxAgeMs: number): Promise<Map<number, RatePlanEntity>> {
    if (maxAgeMs <= 0) return this.plans.loadWithAncestors(em, ids);
    const now = performance.now(); // monotonic: a cache's age is real elapsed time
    const into = new Map<number, RatePlanEntity>();
    for (const id of ids) {
      // Only whole fresh chains are taken from memory: the loader does not look up a prefilled plan's parents.
      const chain: RatePlanEntity[] = [];
      let next: number | null = id;
      let fresh = true;
      for (let guard = 0; next !== null && guard < 32; guard++) {
        const hot = this.hotPlans.get(next);
        if (!hot || now - hot.at >= maxAgeMs) {
          fresh = false;
          break;
        }
        chain.push(hot.plan);
        next = hot.plan.inheritsFromId;
      }
      if (fresh && next === null) for (const p of chain) into.set(p.id, p);
    }
    const known = new Set(into.keys());
    const plans = await this.plans.loadWithAncestors(em, ids, into);
    if (this.hotPlans.size > 20_000) this.hotPlans.clear();
    for (const [id, plan] of plans) if (!known.has(id)) this.hotPlans.set(id, { plan, at: now });
    return plans;
  }

  /**
   * API.md's price lookup for a customer of the caller's tree. Levels outside the caller's subtree are
   * left out (a reseller sees what it and its customers pay, not what its own parent pays); the cost
   * level only shows to the system owner.
   */
  async priceLookup(
    scope: Scope,
    customerId: number,
    input: { number: string; direction?: Direction; at?: Date; duration?: number },
    now: Date,
  ): Promise<RatedCall> {
    const em = this.plans.manager;
    const customer = await this.customers.findInScope(em, scope, customerId);
    const rated = await this.rateFor(em, customer, {
      number: normaliseNumber(input.number),
      direction: input.direction ?? 'outbound',
      at: input.at ?? now,
      duration: input.duration,
    });
    // Levels are the customer and its ancestors: those at or below the acting customer are in its tree.
    const ids = pathIds(customer.path);
    const scopeDepth = ids.indexOf(scope.customerId);
    const seesCost = scopeDepth === 0;
    rated.levels = rated.levels.filter((l) => (l.cost ? seesCost : ids.indexOf(l.customerId) >= scopeDepth));
    return rated;
  }

  /**
   * The price lookup for a plan: what a customer on `plan` would pay, and each level above it that the
   * caller sees. The customer is imagined under the plan's owner when the owner is in the caller's tree
   * (the owner assigns it), else under the acting customer (a plan shared with it from above, which it
   * would assign). Its level has customerId PLAN_LEVEL_ID. The caller checks that the plan is visible.
   */
  async planPriceLookup(
    scope: Scope,
    plan: { id: number; ownerCustomerId: number },
    input: { number: string; direction?: Direction; at?: Date; duration?: number },
    now: Date,
  ): Promise<RatedCall> {
    const em = this.plans.manager;
    const owner = await this.customers.find(em, plan.ownerCustomerId);
    const parentPath = owner && isInSubtree(scope.customerPath, owner.path) ? owner.path : scope.customerPath;
    const path = `${parentPath}${PLAN_LEVEL_ID}/`;
    const ids = pathIds(path);
    const known = new Map<number, { ratePlanId: number | null }>(await this.customers.findMany(em, ids.slice(0, -1)));
    known.set(PLAN_LEVEL_ID, { ratePlanId: plan.id });
    const rated = await this.rateFor(
      em,
      { id: PLAN_LEVEL_ID, path },
      {
        number: normaliseNumber(input.number),
        direction: input.direction ?? 'outbound',
        at: input.at ?? now,
        duration: input.duration,
      },
      known,
    );
    const scopeDepth = ids.indexOf(scope.customerId);
    rated.levels = rated.levels.filter((l) => (l.cost ? scopeDepth === 0 : ids.indexOf(l.customerId) >= scopeDepth));
    return rated;
  }

  private async rateFor(
    em: EntityManager,
    customer: Pick<CustomerRef, 'id' | 'path'>,
    query: RatingQuery,
    known?: ReadonlyMap<number, { ratePlanId: number | null }>,
    maxAgeMs = 0,
  ): Promise<RatedCall> {
    const settings = await this.settingsFor(em, maxAgeMs);
    const ids = pathIds(customer.path);
    const rootId = ids[0];
    const customers = known ?? (await this.customers.findMany(em, ids));
    // Charged levels, top first: the system owner's child down to the customer.
    const charged = ids.slice(1).map((id) => customers.get(id) ?? null);
    const planIds = charged.map((c) => c?.ratePlanId ?? null).filter((id): id is number => id !== null);
    if (settings.costPlanId !== null) planIds.push(settings.costPlanId);
    const plans = await this.plansFor(em, planIds, maxAgeMs);
    const ctx = (planId: number | null): PlanCtx | null => {
      const plan = planId === null ? undefined : plans.get(planId);
      if (!plan) return null;
      const chain = inheritanceChain(plan, plans);
      return { plan, chain, settings: resolvePlanSettings(chain) };
    };
    const exchangeRows: ExchangeRateRow[] = [];
    const exchangeLoaded = new Set<string>();
    const toCurrency = async (rate: RateDefinition, from: string, to: string): Promise<RateDefinition> => {
      if (from === to) return rate;
      const missing = [from, to].filter((c) => !exchangeLoaded.has(c));
      if (missing.length) {
        exchangeRows.push(...(await this.system.rateTable(em, missing, query.at)).rows);
        for (const c of missing) exchangeLoaded.add(c);
      }
      const table: ExchangeTable = { systemCurrency: settings.currency, rows: exchangeRows };
      const c = (m: Money) => convert(m, from, to, table, query.at);
      return {
        ...rate,
        connectFee: c(rate.connectFee),
        perMinute: c(rate.perMinute),
        minimumCharge: c(rate.minimumCharge),
        perMessage: c(rate.perMessage),
      };
    };

    const priceOf = (rate: RateDefinition | null, precision: number): Money | null =>
      rate && query.duration !== undefined ? priceCall(rate, query.duration, true, precision) : null;

    // The cost level: the system owner's cost plan, no markups.
    const costCtx = ctx(settings.costPlanId);
    const costOwn = costCtx ? await this.ownRate(costCtx, query, settings.timezone) : null;
    const costLevel: RatedLevel = {
      customerId: rootId,
      ratePlanId: costCtx?.plan.id ?? null,
      currency: costCtx?.plan.currency ?? null,
      precision: costCtx?.settings.precision ?? 6,
      rate: costOwn?.rate ?? null,
      rateId: costOwn?.rate.id ?? null,
      rateFromPlanId: costOwn?.planId ?? null,
      source: costOwn ? costOwn.source : null,
      cost: true,
      price: priceOf(costOwn?.rate ?? null, costCtx?.settings.precision ?? 6),
      includedSeconds: 0,
      billingPeriod: null,
    };

    const levels: RatedLevel[] = [];
    let above: RatedLevel = costLevel;
    for (let i = 0; i < charged.length; i++) {
      const c = charged[i];
      const customerId = ids[i + 1];
      const pc = ctx(c?.ratePlanId ?? null);
      if (!c || !pc) throw new NoRateError(customerId, `customer ${customerId} has no rate plan`);
      const own = await this.ownRate(pc, query, settings.timezone);
      let level: RatedLevel;
      if (own) {
        level = {
          customerId,
          ratePlanId: pc.plan.id,
          currency: pc.plan.currency,
          precision: pc.settings.precision,
          rate: own.rate,
          rateId: own.rate.id,
          rateFromPlanId: own.planId,
          source: own.source,
          cost: false,
          price: null,
          includedSeconds: pc.settings.includedSeconds,
          billingPeriod: pc.settings.billingPeriod,
        };
      } else if (above.rate && above.currency) {
        const converted = await toCurrency(above.rate, above.currency, pc.plan.currency);
        const { id: _id, deckId: _deck, ...plain } = converted as Partial<StoredRate> & RateDefinition;
        level = {
          customerId,
          ratePlanId: pc.plan.id,
          currency: pc.plan.currency,
          precision: pc.settings.precision,
          rate: applyMarkup(plain, pc.settings.markups),
          rateId: above.rateId,
          rateFromPlanId: above.rateFromPlanId,
          source: 'markup',
          cost: false,
          price: null,
          includedSeconds: pc.settings.includedSeconds,
          billingPeriod: pc.settings.billingPeriod,
        };
      } else {
        const where = customerId === PLAN_LEVEL_ID ? `on rate plan ${pc.plan.id}` : `at customer ${customerId} (rate plan ${pc.plan.id})`;
        throw new NoRateError(customerId, `no rate for ${query.number} (${query.direction}) ${where} or above`);
      }
      level.price = priceOf(level.rate, level.precision);
      levels.push(level);
      above = level;
    }
    levels.reverse();
    if (levels.length === 0 && !costLevel.rate) {
      throw new NoRateError(rootId, `no cost rate for ${query.number} (${query.direction})`);
    }
    levels.push(costLevel);
    return { number: query.number, direction: query.direction, at: query.at, duration: query.duration ?? null, levels };
  }

  /**
   * The plan's own rate for the call (with inheritance): rates of every prefix of the number, longest
   * first; for one prefix the plan's own rates come before those of the plan it inherits from, so an
   * inheriting plan overrides prefix by prefix, and a band it does not cover falls back to the parent's.
   */
  private async ownRate(
    pc: PlanCtx,
    query: RatingQuery,
    timeZone: string,
  ): Promise<{ rate: StoredRate; planId: number; source: RateSource } | null> {
    type Tagged = StoredRate & { fromPlanId: number };
    const byLength = new Map<number, Tagged[][]>();
    for (const plan of pc.chain) {
      const deck = await this.cache.deckAt(plan, query.at);
      if (!deck) continue;
      for (const group of deck.candidates(query.number, query.direction)) {
        const len = group[0].prefix.length;
        const tagged = group.map((r) => ({ ...r, fromPlanId: plan.id }));
        const list = byLength.get(len);
        if (list) list.push(tagged);
        else byLength.set(len, [tagged]);
      }
    }
    if (byLength.size === 0) return null;
    const ordered = [...byLength.entries()].sort((a, b) => b[0] - a[0]).flatMap(([, groups]) => groups);
    const chosen = selectRate(ordered, query.at, timeZone, query.direction);
    if (!chosen) return null;
    const { fromPlanId, ...rate } = chosen;
    return { rate, planId: fromPlanId, source: fromPlanId === pc.plan.id ? 'own' : 'inherited' };
  }
}

/** API.md's price lookup shape (money as decimal strings). */
export function toPriceLookupDto(rated: RatedCall): PriceLookupDto {
  return {
    number: rated.number,
    direction: rated.direction,
    at: rated.at.toISOString(),
    duration: rated.duration,
    levels: rated.levels.map((l) => ({
      customerId: l.customerId,
      ratePlanId: l.ratePlanId,
      currency: l.currency,
      prefix: l.rate?.prefix ?? null,
      destination: l.rate?.destination ?? null,
      connectFee: l.rate?.connectFee.toString() ?? null,
      includedSeconds: l.rate?.includedSeconds ?? null,
      perMinute: l.rate?.perMinute.toString() ?? null,
      firstBlock: l.rate?.firstBlock ?? null,
      increment: l.rate?.increment ?? null,
      minimumCharge: l.rate?.minimumCharge.toString() ?? null,
      perMessage: l.rate?.perMessage.toString() ?? null,
      price: l.price === null ? null : l.price.toString(),
      precision: l.precision,
      source: l.source,
      rateId: l.rateId,
      cost: l.cost,
    })),
  };
}
