import { Money } from '../../../shared/money';
import { billingTypeAllowsCalls, callsDebitBalance, includedSecondsFor, levelFunds, localDay, reachesDailyLimit, spentOn } from './call-control';

const m = (s: string) => Money.of(s);

describe('call control rules', () => {
  it('debits calls from the balance for the four balance billing types only', () => {
    expect(
      ['prepaid', 'postpaid', 'prepaid_calls', 'prepaid_invoices', 'external', 'none'].map((b) => callsDebitBalance(b as never)),
    ).toEqual([true, true, true, true, false, false]);
    expect(billingTypeAllowsCalls('none')).toBe(false);
    expect(billingTypeAllowsCalls('external')).toBe(true);
  });

  it("counts the day in the customer's time zone", () => {
    const at = new Date('2026-12-03T11:10:00Z');
    expect(localDay(at, 'UTC')).toBe('2026-12-03');
    expect(localDay(at, 'Pacific/Auckland')).toBe('2026-12-04');
    expect(localDay(new Date('2026-12-04T02:00:00Z'), 'America/Los_Angeles')).toBe('2026-12-03');
    // A zone that does not exist falls back to UTC instead of failing a call.
    expect(localDay(at, 'Nowhere/Else')).toBe('2026-12-03');
  });

  it("counts only the stored day's spending", () => {
    expect(spentOn(m('2.40'), '2026-12-03', '2026-12-03').toString()).toBe('2.40');
    expect(spentOn(m('2.40'), '2026-12-03', '2026-12-04').toString()).toBe('0.00');
    expect(spentOn(m('2.40'), null, '2026-12-04').toString()).toBe('0.00');
  });

  it('gives what a level may spend: balance above -credit limit less reservations, within the daily limit', () => {
    const base = { balance: m('10'), reserved: m('0'), creditLimit: m('0'), dailyLimit: null, spentToday: m('0') };
    expect(levelFunds(base)).toEqual({ ok: true, available: m('10'), dailyBinds: false });
    expect(levelFunds({ ...base, reserved: m('4') })).toMatchObject({ ok: true, available: m('6') });
    expect(levelFunds({ ...base, balance: m('-5'), creditLimit: m('5') })).toEqual({ ok: false, reason: 'no_credit' });
    expect(levelFunds({ ...base, balance: m('-5'), creditLimit: m('5.01') })).toMatchObject({ ok: true });
    expect(levelFunds({ ...base, reserved: m('10') })).toEqual({ ok: false, reason: 'no_credit' });
    expect(levelFunds({ ...base, dailyLimit: m('3'), spentToday: m('3') })).toEqual({ ok: false, reason: 'daily_limit' });
    expect(levelFunds({ ...base, dailyLimit: m('3'), spentToday: m('1') })).toEqual({ ok: true, available: m('2'), dailyBinds: true });
    expect(levelFunds({ ...base, dailyLimit: m('3'), spentToday: m('1'), reserved: m('2') })).toEqual({ ok: false, reason: 'daily_limit' });
    expect(levelFunds({ ...base, dailyLimit: m('30'), spentToday: m('1') })).toEqual({ ok: true, available: m('10'), dailyBinds: false });
  });

  it('sees the daily limit reached once, by the charge that crosses it', () => {
    expect(reachesDailyLimit(m('3'), m('2.40'), m('3.60'))).toBe(true);
    expect(reachesDailyLimit(m('3'), m('2.40'), m('3.00'))).toBe(true);
    expect(reachesDailyLimit(m('3'), m('3.00'), m('4.20'))).toBe(false);
    expect(reachesDailyLimit(m('3'), m('1'), m('2'))).toBe(false);
    expect(reachesDailyLimit(null, m('1'), m('200'))).toBe(false);
  });
});

describe('included call seconds per billing period', () => {
  it('makes the first seconds of each period free, a call partly covered priced on the rest', () => {
    expect(includedSecondsFor(0, null, 120, 'monthly', '2026-10-05', 61)).toEqual({ free: 61, used: 61, period: '2026-10-01' });
    expect(includedSecondsFor(61, '2026-10-01', 120, 'monthly', '2026-10-20', 90)).toEqual({ free: 59, used: 120, period: '2026-10-01' });
    expect(includedSecondsFor(120, '2026-10-01', 120, 'monthly', '2026-10-31', 30)).toEqual({ free: 0, used: 120, period: '2026-10-01' });
  });

  it('starts again with each period (quarters here), and does nothing without included seconds or for unanswered calls', () => {
    expect(includedSecondsFor(120, '2026-10-01', 120, 'quarterly', '2027-01-02', 30)).toEqual({ free: 30, used: 30, period: '2027-01-01' });
    expect(includedSecondsFor(5, '2026-10-01', 0, 'monthly', '2026-10-02', 30)).toEqual({ free: 0, used: 5, period: '2026-10-01' });
    expect(includedSecondsFor(5, '2026-10-01', 60, 'monthly', '2026-10-02', 0)).toEqual({ free: 0, used: 5, period: '2026-10-01' });
    expect(includedSecondsFor(5, '2026-10-01', 60, 'indefinite', '2026-10-02', 30)).toEqual({ free: 0, used: 5, period: '2026-10-01' });
  });
});
