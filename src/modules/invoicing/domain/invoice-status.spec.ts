import { canMove, INVOICE_STATUSES, InvoiceStatus, isFinal, isInvoiceStatus, isOpen, isOverdueOn, nextStatuses } from './invoice-status';

describe('invoice status transitions', () => {
  it.each([
    ['pending', 'due'],
    ['pending', 'queued'],
    ['queued', 'approved'],
    ['approved', 'due'],
    ['due', 'overdue'],
    ['due', 'paid'],
    ['overdue', 'paid'],
    ['due', 'payment_refused'],
    ['payment_refused', 'due'],
    ['pending', 'prepaid'],
    ['due', 'superseded'],
    ['pending', 'cancelled'],
  ] as const)('%s → %s is allowed', (from, to) => {
    expect(canMove(from, to)).toBe(true);
  });

  it.each([
    ['paid', 'pending'],
    ['paid', 'due'],
    ['paid', 'cancelled'],
    ['prepaid', 'due'],
    ['cancelled', 'due'],
    ['superseded', 'paid'],
    ['overdue', 'due'],
    ['due', 'pending'],
    ['queued', 'due'],
    ['due', 'due'],
  ] as const)('%s → %s is refused', (from, to) => {
    expect(canMove(from, to)).toBe(false);
  });

  it('final statuses lead nowhere, and every other status can still be cancelled', () => {
    const finals = INVOICE_STATUSES.filter(isFinal);
    expect(finals.sort()).toEqual(['cancelled', 'paid', 'prepaid', 'superseded']);
    for (const s of INVOICE_STATUSES.filter((x) => !isFinal(x))) expect(nextStatuses(s)).toContain('cancelled');
  });

  it('every status is reachable from pending', () => {
    const seen = new Set<string>(['pending']);
    const queue: InvoiceStatus[] = ['pending'];
    for (let s = queue.shift(); s; s = queue.shift()) {
      for (const n of nextStatuses(s)) {
        if (seen.has(n)) continue;
        seen.add(n);
        queue.push(n);
      }
    }
    expect([...seen].sort()).toEqual([...INVOICE_STATUSES].sort());
  });

  it('only due, overdue and refused invoices wait for money', () => {
    expect(INVOICE_STATUSES.filter(isOpen).sort()).toEqual(['due', 'overdue', 'payment_refused']);
  });

  it('recognises statuses from untrusted input', () => {
    expect(isInvoiceStatus('paid')).toBe(true);
    expect(isInvoiceStatus('PAID')).toBe(false);
    expect(isInvoiceStatus('toString')).toBe(false);
    expect(isInvoiceStatus(3)).toBe(false);
  });
});

describe('overdue', () => {
  it('is the day after the due date plus the grace days, not on it', () => {
    expect(isOverdueOn('2026-11-15', 0, '2026-11-15')).toBe(false);
    expect(isOverdueOn('2026-11-15', 0, '2026-11-16')).toBe(true);
    expect(isOverdueOn('2026-11-15', 3, '2026-11-18')).toBe(false);
    expect(isOverdueOn('2026-11-15', 3, '2026-11-19')).toBe(true);
    expect(isOverdueOn('2026-12-31', 1, '2027-01-02')).toBe(true);
  });
});
