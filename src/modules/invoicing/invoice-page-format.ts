import { DateTime } from 'luxon';
import type { InvoiceParty } from '../customers/customers.api';
import { INVOICE_STATUSES, type InvoiceStatus } from './domain/invoice-status';

/** How the pages name invoice statuses. */
export const INVOICE_STATUS_LABELS: Record<InvoiceStatus, string> = {
  pending: 'Pending',
  queued: 'Queued for approval',
  approved: 'Approved',
  due: 'Due',
  overdue: 'Overdue',
  paid: 'Paid',
  payment_refused: 'Payment refused',
  cancelled: 'Cancelled',
  superseded: 'Superseded',
  prepaid: 'Prepaid',
};

export const INVOICE_STATUS_OPTIONS = INVOICE_STATUSES.map((value) => ({ value, label: INVOICE_STATUS_LABELS[value] }));

/** "2026-10-01 – 2026-10-31": the period as people read it (the stored end is the first day after it). */
export function periodText(start: string | null, end: string | null): string {
  if (!start || !end) return '';
  const last = DateTime.fromISO(end, { zone: 'UTC' }).minus({ days: 1 });
  return `${start} – ${last.isValid ? last.toISODate() : end}`;
}

/** The address block of a party, one line per part that is filled in. */
export function addressLines(p: InvoiceParty | null): string[] {
  if (!p) return [];
  const a = p.address;
  const cityLine = [a.postcode, a.city].filter(Boolean).join(' ');
  return [a.line1, a.line2, a.line3, cityLine, a.state, a.country].filter((v): v is string => !!v && v.trim() !== '');
}

/** The links of an invoice's documents (routes of invoice-documents.controller.ts). */
export function documentLinks(id: number): { pdf: string; xml: string } {
  return { pdf: `/invoices/${id}/pdf`, xml: `/invoices/${id}/xml` };
}
