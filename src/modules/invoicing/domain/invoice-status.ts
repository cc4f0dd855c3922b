/**
 * Invoice statuses (DOMAIN.md §7) and the changes allowed between them. An issued invoice is never
 * edited: its amounts are corrected with a credit note, and its status only moves along these edges.
 *
 *   pending ──► queued ──► approved ──► due ──► overdue
 *      │          │           │          │  ╲      │
 *      │          ▼           ▼          ▼   ╲     ▼
 *      └──────► cancelled   prepaid     paid ◄── payment_refused
 *
 * - `pending`: issued by the run, not yet sent for payment. `queued`: waiting for an operator's approval
 *   (when the issuer approves invoices by hand). `approved`: released; it becomes `due` when sent.
 * - `prepaid`: settled from the balance when issued (`prepaid_invoices` customers, and invoices whose
 *   amount is covered by prepayments). Final.
 * - `due` → `overdue` is the daily overdue job's move; `payment_refused` (a bounced direct debit or a
 *   declined card) goes back to `due` when a new attempt is made, or on to `overdue`.
 * - `paid`, `prepaid`, `cancelled` and `superseded` are final. `superseded` is set when a credit note
 *   replaces the invoice in full; a fully paid invoice is corrected with a credit note (a refund), not
 *   by changing its status.
 */
export const INVOICE_STATUSES = [
  'pending',
  'queued',
  'approved',
  'due',
  'overdue',
  'paid',
  'payment_refused',
  'cancelled',
  'superseded',
  'prepaid',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

const ALLOWED: Record<InvoiceStatus, readonly InvoiceStatus[]> = {
  pending: ['queued', 'approved', 'due', 'prepaid', 'paid', 'cancelled', 'superseded'],
  queued: ['approved', 'cancelled', 'superseded'],
  approved: ['due', 'prepaid', 'paid', 'cancelled', 'superseded'],
  due: ['overdue', 'paid', 'payment_refused', 'cancelled', 'superseded'],
  overdue: ['paid', 'payment_refused', 'cancelled', 'superseded'],
  payment_refused: ['due', 'overdue', 'paid', 'cancelled', 'superseded'],
  paid: [],
  prepaid: [],
  cancelled: [],
  superseded: [],
};

export function isInvoiceStatus(value: unknown): value is InvoiceStatus {
  return typeof value === 'string' && (INVOICE_STATUSES as readonly string[]).includes(value);
}

/** Statuses `from` may move to. */
export function nextStatuses(from: InvoiceStatus): readonly InvoiceStatus[] {
  return ALLOWED[from];
}

export function canMove(from: InvoiceStatus, to: InvoiceStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** Final statuses: nothing more happens to the invoice (a credit note may still reference it). */
export function isFinal(status: InvoiceStatus): boolean {
  return ALLOWED[status].length === 0;
}

/** Invoices that still expect money from the customer: reminders and the overdue job look at these. */
export function isOpen(status: InvoiceStatus): boolean {
  return status === 'due' || status === 'overdue' || status === 'payment_refused';
}

/**
 * Whether an invoice with this due date is overdue on `today` (both local dates of the issuer's
 * customer, 'YYYY-MM-DD'): the day after the due date, not on it. `overdueDays` is the plan's grace
 * after the due date before the invoice counts as overdue (0 = the next day).
 */
export function isOverdueOn(dueDate: string, overdueDays: number, today: string): boolean {
  const due = Date.parse(`${dueDate}T00:00:00Z`);
  const day = Date.parse(`${today}T00:00:00Z`);
  return day > due + overdueDays * 86_400_000;
}
