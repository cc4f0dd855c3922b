import { Money } from '../../../shared/money';

/**
 * "Use the rate plan's value": the customer settings a rate plan also has. A null on the customer means
 * the plan's value; a null on a plan means the value of the plan it inherits from, and at the end of the
 * chain the platform default below. Pure code: no Nest, no TypeORM.
 */
export const UNLIMITED_MARK = -1;

/** Values of the plan-level settings that both rate plans and customers carry. */
export const INVOICE_FORMATS = ['pdf', 'xml'] as const;
export type InvoiceFormat = (typeof INVOICE_FORMATS)[number];
export const INVOICE_DETAILS = ['summary', 'destinations', 'calls'] as const;
export type InvoiceDetail = (typeof INVOICE_DETAILS)[number];
export const CONTRACT_MONTHS = [0, 1, 3, 6, 12, 18, 24, 36] as const;

export type Limit<T> = T | 'unlimited';

export interface PlanLevelSettings {
  dailySpendLimit: Limit<Money>;
  maxConcurrentCalls: Limit<number>;
  externalCallerId: boolean;
  dialPlanId: number | null;
  invoiceDueDays: number;
  sendInvoices: boolean;
  invoiceFormat: string;
  invoiceDetail: string;
  minimumContractMonths: number;
}

export type PlanLevelKey = keyof PlanLevelSettings;
export const PLAN_LEVEL_KEYS: readonly PlanLevelKey[] = [
  'dailySpendLimit',
  'maxConcurrentCalls',
  'externalCallerId',
  'dialPlanId',
  'invoiceDueDays',
  'sendInvoices',
  'invoiceFormat',
  'invoiceDetail',
  'minimumContractMonths',
];

/** What the platform uses when neither the customer nor any plan in the chain sets a value. */
export const PLATFORM_DEFAULTS: PlanLevelSettings = {
  dailySpendLimit: 'unlimited',
  maxConcurrentCalls: 'unlimited',
  externalCallerId: false,
  dialPlanId: null,
  invoiceDueDays: 30,
  sendInvoices: true,
  invoiceFormat: 'pdf',
  invoiceDetail: 'summary',
  minimumContractMonths: 0,
};

/** The plan-level columns as stored (rate plan or customer): null = not set at this level. */
export interface StoredPlanLevel {
  dailySpendLimitMicros: string | number | null;
  maxConcurrentCalls: number | null;
  externalCallerId: boolean | null;
  dialPlanId: number | null;
  invoiceDueDays: number | null;
  sendInvoices: boolean | null;
  invoiceFormat: string | null;
  invoiceDetail: string | null;
  minimumContractMonths: number | null;
}

export interface StoredPlan extends StoredPlanLevel {
  id: number;
  inheritsFromId: number | null;
}

/** Stored spend limit (micro-units, -1 = unlimited, null = not set) to its value. */
export function spendLimitFromMicros(micros: string | number | null): Limit<Money> | null {
  if (micros === null || micros === undefined) return null;
  if (String(micros) === String(UNLIMITED_MARK)) return 'unlimited';
  return Money.fromMicros(micros);
}

export function concurrentLimitFromStored(value: number | null): Limit<number> | null {
  if (value === null || value === undefined) return null;
  return value === UNLIMITED_MARK ? 'unlimited' : value;
}

/** The values one level sets (undefined where it leaves the setting to the next level). */
export function levelValues(level: StoredPlanLevel): Partial<PlanLevelSettings> {
  const out: Partial<PlanLevelSettings> = {};
  const spend = spendLimitFromMicros(level.dailySpendLimitMicros);
  if (spend !== null) out.dailySpendLimit = spend;
  const concurrent = concurrentLimitFromStored(level.maxConcurrentCalls);
  if (concurrent !== null) out.maxConcurrentCalls = concurrent;
  if (level.externalCallerId !== null && level.externalCallerId !== undefined) out.externalCallerId = level.externalCallerId;
  if (level.dialPlanId !== null && level.dialPlanId !== undefined) out.dialPlanId = level.dialPlanId;
  if (level.invoiceDueDays !== null && level.invoiceDueDays !== undefined) out.invoiceDueDays = level.invoiceDueDays;
  if (level.sendInvoices !== null && level.sendInvoices !== undefined) out.sendInvoices = level.sendInvoices;
  if (level.invoiceFormat !== null && level.invoiceFormat !== undefined) out.invoiceFormat = level.invoiceFormat;
  if (level.invoiceDetail !== null && level.invoiceDetail !== undefined) out.invoiceDetail = level.invoiceDetail;
  if (level.minimumContractMonths !== null && level.minimumContractMonths !== undefined)
    out.minimumContractMonths = level.minimumContractMonths;
  return out;
}

/**
 * The plan chain starting at `planId` (the plan itself first), following `inheritsFromId`. Stops at a
 * missing plan or a loop, so a broken chain can never hang a request.
 */
export function planChain(planId: number | null, plans: ReadonlyMap<number, StoredPlan>): StoredPlan[] {
  const chain: StoredPlan[] = [];
  const seen = new Set<number>();
  let id = planId;
  while (id !== null && !seen.has(id)) {
    const plan = plans.get(id);
    if (!plan) break;
    seen.add(id);
    chain.push(plan);
    id = plan.inheritsFromId;
  }
  return chain;
}

/** The values in force: the customer's own, else the first plan in the chain that sets it, else the default. */
export function effectiveSettings(
  customer: StoredPlanLevel,
  planId: number | null,
  plans: ReadonlyMap<number, StoredPlan>,
): PlanLevelSettings {
  const levels = [customer, ...planChain(planId, plans)].map(levelValues);
  const result = { ...PLATFORM_DEFAULTS } as Record<PlanLevelKey, unknown>;
  for (const key of PLAN_LEVEL_KEYS) {
    const found = levels.find((l) => l[key] !== undefined);
    if (found) result[key] = found[key];
  }
  return result as unknown as PlanLevelSettings;
}
