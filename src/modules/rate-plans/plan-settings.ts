import { Dec, Money } from '../../shared/money';
import { levelValues, PLATFORM_DEFAULTS, type Limit, type PlanLevelSettings } from './domain/plan-level-settings';
import type { MarkupPercents } from './domain/markup';
import type { BillingPeriod, RatePlanEntity } from './entities/rate-plan.entity';

/**
 * A plan's settings in force: its own value, else the value of the plan it inherits from (and so on up
 * the chain), else the platform default. Pure: works on plan rows already loaded.
 */
export interface EffectivePlanSettings extends PlanLevelSettings {
  precision: number;
  fees: { signup: Money; account: Money; perLine: Money; perNumber: Money };
  includedSeconds: number;
  billingPeriod: BillingPeriod;
  dueDays: number;
  overdueDays: number;
  deferBilling: boolean;
  markups: { [K in keyof MarkupPercents]: Dec };
}

/** Platform defaults for plan-only settings (customer-setting defaults come from the customers module). */
export const PLAN_DEFAULTS = {
  precision: 4,
  fee: Money.ZERO,
  includedSeconds: 0,
  billingPeriod: 'monthly' as BillingPeriod,
  dueDays: 30,
  overdueDays: 0,
  deferBilling: false,
  markup: new Dec(0),
};

export const MARKUP_KEYS = ['outboundConnect', 'outboundPerMinute', 'outboundMessage', 'inboundConnect', 'inboundPerMinute'] as const;
export type MarkupKey = (typeof MARKUP_KEYS)[number];
export const MARKUP_COLUMNS: Record<MarkupKey, keyof RatePlanEntity> = {
  outboundConnect: 'markupOutboundConnect',
  outboundPerMinute: 'markupOutboundPerMinute',
  outboundMessage: 'markupOutboundMessage',
  inboundConnect: 'markupInboundConnect',
  inboundPerMinute: 'markupInboundPerMinute',
};
export const FEE_KEYS = ['signup', 'account', 'perLine', 'perNumber'] as const;
export type FeeKey = (typeof FEE_KEYS)[number];
export const FEE_COLUMNS: Record<FeeKey, keyof RatePlanEntity> = {
  signup: 'signupFee',
  account: 'accountFee',
  perLine: 'lineFee',
  perNumber: 'numberFee',
};

/**
 * The inheritance chain of `plan` (the plan first), from plans already loaded by id. Stops at a
 * missing or deleted parent and at a loop, so bad data can never hang a request.
 */
export function inheritanceChain<P extends Pick<RatePlanEntity, 'id' | 'inheritsFromId'>>(plan: P, plans: ReadonlyMap<number, P>): P[] {
  const chain: P[] = [];
  const seen = new Set<number>();
  let current: P | undefined = plan;
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    chain.push(current);
    current = current.inheritsFromId === null ? undefined : plans.get(current.inheritsFromId);
  }
  return chain;
}

function first<T>(chain: readonly RatePlanEntity[], read: (p: RatePlanEntity) => T | null | undefined, fallback: T): T {
  for (const p of chain) {
    const v = read(p);
    if (v !== null && v !== undefined) return v;
  }
  return fallback;
}

/** Settings in force for the first plan of `chain` (as given by inheritanceChain). */
export function resolvePlanSettings(chain: readonly RatePlanEntity[]): EffectivePlanSettings {
  const customerLevel = { ...PLATFORM_DEFAULTS } as Record<keyof PlanLevelSettings, unknown>;
  const levels = chain.map((p) => levelValues(p));
  for (const key of Object.keys(PLATFORM_DEFAULTS) as (keyof PlanLevelSettings)[]) {
    const found = levels.find((l) => l[key] !== undefined);
    if (found) customerLevel[key] = found[key];
  }
  const fee = (k: FeeKey) => first(chain, (p) => p[FEE_COLUMNS[k]] as Money | null, PLAN_DEFAULTS.fee);
  const markup = (k: MarkupKey) => first(chain, (p) => p[MARKUP_COLUMNS[k]] as Dec | null, PLAN_DEFAULTS.markup);
  return {
    ...(customerLevel as unknown as PlanLevelSettings),
    precision: first(chain, (p) => p.precision, PLAN_DEFAULTS.precision),
    fees: { signup: fee('signup'), account: fee('account'), perLine: fee('perLine'), perNumber: fee('perNumber') },
    includedSeconds: first(chain, (p) => p.includedSeconds, PLAN_DEFAULTS.includedSeconds),
    billingPeriod: first(chain, (p) => p.billingPeriod, PLAN_DEFAULTS.billingPeriod),
    dueDays: first(chain, (p) => p.dueDays, PLAN_DEFAULTS.dueDays),
    overdueDays: first(chain, (p) => p.overdueDays, PLAN_DEFAULTS.overdueDays),
    deferBilling: first(chain, (p) => p.deferBilling, PLAN_DEFAULTS.deferBilling),
    markups: {
      outboundConnect: markup('outboundConnect'),
      outboundPerMinute: markup('outboundPerMinute'),
      outboundMessage: markup('outboundMessage'),
      inboundConnect: markup('inboundConnect'),
      inboundPerMinute: markup('inboundPerMinute'),
    },
  };
}

/** Percent as API text: "20", "12.5", "-5.5" (no trailing zeros). */
export function percentText(d: Dec): string {
  return new Dec(d).toDecimalPlaces(6).toFixed();
}

export type { Limit };
