import { Money } from '../../../shared/money';
import { effectiveSettings, planChain, PLATFORM_DEFAULTS, StoredPlan, StoredPlanLevel, UNLIMITED_MARK } from './plan-level-settings';

const unset: StoredPlanLevel = {
  dailySpendLimitMicros: null,
  maxConcurrentCalls: null,
  externalCallerId: null,
  dialPlanId: null,
  invoiceDueDays: null,
  sendInvoices: null,
  invoiceFormat: null,
  invoiceDetail: null,
  minimumContractMonths: null,
};
const plan = (id: number, inheritsFromId: number | null, values: Partial<StoredPlanLevel> = {}): StoredPlan => ({
  id,
  inheritsFromId,
  ...unset,
  ...values,
});
const plans = (...list: StoredPlan[]) => new Map(list.map((p) => [p.id, p]));

describe('effective customer settings ("use the rate plan\'s value")', () => {
  it('stores unlimited as -1 (the mark customer and plan rows share)', () => {
    expect(UNLIMITED_MARK).toBe(-1);
  });

  it('gives the platform defaults when neither customer nor plan sets anything', () => {
    expect(effectiveSettings(unset, 1, plans(plan(1, null)))).toEqual(PLATFORM_DEFAULTS);
    expect(effectiveSettings(unset, null, new Map())).toEqual({
      dailySpendLimit: 'unlimited',
      maxConcurrentCalls: 'unlimited',
      externalCallerId: false,
      dialPlanId: null,
      invoiceDueDays: 30,
      sendInvoices: true,
      invoiceFormat: 'pdf',
      invoiceDetail: 'summary',
      minimumContractMonths: 0,
    });
  });

  it("takes the plan's value where the customer leaves it unset, and the customer's where it sets one", () => {
    const p = plan(1, null, {
      dailySpendLimitMicros: '25000000',
      maxConcurrentCalls: 4,
      sendInvoices: false,
      invoiceDueDays: 14,
      dialPlanId: 7,
    });
    const customer = { ...unset, maxConcurrentCalls: UNLIMITED_MARK, invoiceDueDays: 0, externalCallerId: true };
    const e = effectiveSettings(customer, 1, plans(p));
    expect(e.dailySpendLimit).toEqual(Money.of('25'));
    expect(e.maxConcurrentCalls).toBe('unlimited');
    expect(e.sendInvoices).toBe(false);
    // 0 and false are values, not "unset".
    expect(e.invoiceDueDays).toBe(0);
    expect(e.externalCallerId).toBe(true);
    expect(e.dialPlanId).toBe(7);
  });

  it('follows the inheritance chain, nearest plan first', () => {
    const base = plan(1, null, { invoiceFormat: 'xml', invoiceDetail: 'calls', minimumContractMonths: 12 });
    const mid = plan(2, 1, { invoiceDetail: 'destinations' });
    const top = plan(3, 2, {});
    const e = effectiveSettings(unset, 3, plans(base, mid, top));
    expect(e).toMatchObject({ invoiceFormat: 'xml', invoiceDetail: 'destinations', minimumContractMonths: 12 });
    expect(planChain(3, plans(base, mid, top)).map((p) => p.id)).toEqual([3, 2, 1]);
  });

  it('stops at loops and missing plans', () => {
    const a = plan(1, 2, { invoiceDueDays: 10 });
    const b = plan(2, 1, {});
    expect(planChain(2, plans(a, b)).map((p) => p.id)).toEqual([2, 1]);
    expect(effectiveSettings(unset, 2, plans(a, b)).invoiceDueDays).toBe(10);
    expect(planChain(5, plans(a)).length).toBe(0);
    expect(planChain(1, plans(a)).map((p) => p.id)).toEqual([1]);
  });

  it('reads spend limits from either driver form (string or number micro-units)', () => {
    expect(effectiveSettings({ ...unset, dailySpendLimitMicros: -1 }, null, new Map()).dailySpendLimit).toBe('unlimited');
    expect(effectiveSettings({ ...unset, dailySpendLimitMicros: '-1' }, null, new Map()).dailySpendLimit).toBe('unlimited');
    expect((effectiveSettings({ ...unset, dailySpendLimitMicros: 1_500_000 }, null, new Map()).dailySpendLimit as Money).toString()).toBe(
      '1.50',
    );
    expect((effectiveSettings({ ...unset, dailySpendLimitMicros: '0' }, null, new Map()).dailySpendLimit as Money).toString()).toBe('0.00');
  });
});
