import { isISO31661Alpha2 } from 'class-validator';
import type { CustomerFormOptions, CustomerView } from './dto/customer.view';
import type { CustomerType } from './entities/customer.entity';
import { fieldPaths, formValues, readField, readForm, type FormBody, type FormSchema } from '../admin/admin.api';

/**
 * The customer form: which fields it has (by type and mode), how its body becomes a Create/Update DTO,
 * how a customer becomes form values, and the option lists with labels an operator understands.
 * Wording of labels and help comes from the "add a customer" page the product started from.
 */

export type FormMode = 'create' | 'edit';
export interface SystemFlags {
  customerPrefixes: boolean;
  regions: boolean;
}
/** What the form shows: strings, string arrays and the nested address/affiliate, as typed. */
export type FormValues = Record<string, unknown>;

export const BILLING_TYPE_LABELS: Record<string, string> = {
  prepaid: 'Pre-paid',
  postpaid: 'Post-paid',
  prepaid_calls: 'Pre-paid calls, invoiced fees',
  prepaid_invoices: 'Invoices paid from the balance',
  external: 'External (calls recorded, not charged)',
  none: 'None (nothing charged)',
};
export const PAYMENT_TYPE_LABELS: Record<string, string> = {
  none: 'None',
  cash: 'Cash',
  cheque: 'Cheque',
  bank_transfer: 'Bank transfer',
  direct_debit: 'Direct debit',
  credit_card: 'Credit card',
};
export const INVOICE_FORMAT_LABELS: Record<string, string> = { pdf: 'PDF (.pdf)', xml: 'XML (.xml, UBL)' };
export const INVOICE_DETAIL_LABELS: Record<string, string> = {
  summary: 'Summary: totals per category',
  destinations: 'Destinations: usage per destination',
  calls: 'Calls: every call itemised',
};
export const AFFILIATE_BASIS_LABELS: Record<string, string> = { revenue: 'revenue', profit: 'profit' };

export const contractLabel = (months: number): string => (months === 0 ? 'None' : months === 1 ? '1 month' : `${months} months`);

const ADDRESS_SCHEMA: FormSchema = {
  line1: 'text?',
  line2: 'text?',
  line3: 'text?',
  city: 'text?',
  state: 'text?',
  postcode: 'text?',
  country: 'enum?',
};

/** The form's fields (besides the two "limit" pairs and the affiliate, read by hand below). */
export function customerFormSchema(type: CustomerType, mode: FormMode, flags: SystemFlags): FormSchema {
  const s: FormSchema = {};
  if (mode === 'create') s.type = 'enum';
  if (type === 'residential') {
    if (mode === 'create') s.number = 'text';
    s.personName = 'text';
  } else {
    s.name = 'text';
    if (mode === 'create') s.username = 'text';
  }
  Object.assign(s, {
    description: 'text?',
    email: 'text',
    accountNumber: 'text?',
    reseller: 'bool',
    directory: 'bool',
    lockedWeb: 'bool',
    lockedCalls: 'bool',
    purgeVoicemail: 'bool',
    maxVoicemailsPerFolder: 'int?',
    externalCallerId: 'bool?',
    timezone: 'enum',
    dialPlanId: 'int?',
    ratePlanId: mode === 'create' ? 'int' : 'int?',
    billingType: 'enum',
    billingReference: 'text?',
    taxReference: 'text?',
    logoUrl: 'text?',
    paymentType: 'enum',
    invoiceDueDays: 'int?',
    sendInvoices: 'bool?',
    invoiceFormat: 'enum?',
    invoiceDetail: 'enum?',
    currency: 'enum',
    minimumContractMonths: 'int?',
    creditLimit: 'decimal',
    taxIds: 'int[]',
    lowBalanceThreshold: 'decimal',
    autoTopUp: 'bool',
    billingAddress: ADDRESS_SCHEMA,
  } satisfies FormSchema);
  // Only sent when the system uses them; otherwise the API would refuse any value.
  if (flags.customerPrefixes) s.prefix = 'text?';
  if (flags.regions) s.regionId = 'int?';
  return s;
}

/** Every field path the form shows an error next to (others go to the top of the form). */
export function placedFields(type: CustomerType, mode: FormMode, flags: SystemFlags): string[] {
  const out = fieldPaths(customerFormSchema(type, mode, flags));
  out.push(
    'billingAddress',
    'dailySpendLimit',
    'maxConcurrentCalls',
    'affiliate',
    'affiliate.customerId',
    'affiliate.percentage',
    'affiliate.basis',
  );
  return out;
}

/** Fields the form shows besides the schema's: the parent, the two "limit" pairs and the affiliate. */
const SHOWN_BESIDES_SCHEMA: FormSchema = {
  parentId: 'int?',
  dailySpendLimitMode: 'enum?',
  dailySpendLimit: 'decimal?',
  maxConcurrentCallsMode: 'enum?',
  maxConcurrentCalls: 'int?',
  affiliate: { customerId: 'int?', percentage: 'decimal?', basis: 'enum?' },
};

/**
 * The values the form template reads, every one of them ('' when absent): the new-customer defaults, a
 * customer's values, or a raw body shown again with its errors (which lacks what the browser did not send).
 */
export function shownFormValues(values: FormValues, type: CustomerType, mode: FormMode, flags: SystemFlags): FormValues {
  return formValues({ ...customerFormSchema(type, mode, flags), ...SHOWN_BESIDES_SCHEMA }, values);
}

/**
 * A "use the rate plan's value / unlimited / this much" pair: `<name>Mode` select and `<name>` input.
 * Whatever is typed in the input wins unless "unlimited" is chosen, so a value typed without touching
 * the select is not lost.
 */
function readLimit(body: FormBody, name: 'dailySpendLimit' | 'maxConcurrentCalls'): unknown {
  const mode = readField(body[`${name}Mode`], 'enum?');
  if (mode === 'unlimited') return 'unlimited';
  const value = readField(body[name], name === 'maxConcurrentCalls' ? 'int?' : 'decimal?');
  if (value !== null) return value;
  // "Limit" chosen but no value typed: pass an empty string so the validator names the field.
  return mode === 'amount' ? '' : null;
}

function readAffiliate(body: FormBody): unknown {
  const raw = body.affiliate && typeof body.affiliate === 'object' && !Array.isArray(body.affiliate) ? (body.affiliate as FormBody) : {};
  const a = readForm(raw, { customerId: 'int?', percentage: 'decimal?', basis: 'enum?' });
  if (a.customerId === null) return null;
  return { customerId: a.customerId, percentage: a.percentage ?? '', basis: a.basis ?? '' };
}

/** The form body as the DTO wants it. */
export function readCustomerForm(body: FormBody, type: CustomerType, mode: FormMode, flags: SystemFlags): Record<string, unknown> {
  const values = readForm(body, customerFormSchema(type, mode, flags));
  values.type = type;
  if (mode === 'edit') delete values.type;
  values.dailySpendLimit = readLimit(body, 'dailySpendLimit');
  values.maxConcurrentCalls = readLimit(body, 'maxConcurrentCalls');
  values.affiliate = readAffiliate(body);
  // An address with nothing in it is "no address".
  const addr = values.billingAddress as Record<string, unknown>;
  if (Object.values(addr).every((v) => v === null || v === undefined)) values.billingAddress = null;
  if (mode === 'edit' && values.ratePlanId === null) delete values.ratePlanId;
  return values;
}

const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const check = (v: unknown): string => (v === true ? 'on' : '');

function limitValues(v: string | number | null, name: string): FormValues {
  if (v === 'unlimited') return { [`${name}Mode`]: 'unlimited', [name]: '' };
  if (v === null || v === undefined) return { [`${name}Mode`]: '', [name]: '' };
  return { [`${name}Mode`]: 'amount', [name]: String(v) };
}

/** A customer as form values (the edit form). */
export function customerFormValues(c: CustomerView): FormValues {
  return {
    type: c.type,
    name: c.name,
    personName: s(c.personName),
    number: s(c.number),
    description: s(c.description),
    email: s(c.email),
    accountNumber: s(c.accountNumber),
    reseller: check(c.reseller),
    directory: check(c.directory),
    prefix: s(c.prefix),
    lockedWeb: check(c.lockedWeb),
    lockedCalls: check(c.lockedCalls),
    ...limitValues(c.dailySpendLimit, 'dailySpendLimit'),
    ...limitValues(c.maxConcurrentCalls, 'maxConcurrentCalls'),
    purgeVoicemail: check(c.purgeVoicemail),
    maxVoicemailsPerFolder: s(c.maxVoicemailsPerFolder),
    externalCallerId: s(c.externalCallerId),
    regionId: s(c.regionId),
    timezone: c.timezone,
    dialPlanId: s(c.dialPlanId),
    ratePlanId: s(c.ratePlanId),
    billingType: c.billingType,
    billingReference: s(c.billingReference),
    taxReference: s(c.taxReference),
    logoUrl: s(c.logoUrl),
    paymentType: c.paymentType,
    invoiceDueDays: s(c.invoiceDueDays),
    sendInvoices: s(c.sendInvoices),
    invoiceFormat: s(c.invoiceFormat),
    invoiceDetail: s(c.invoiceDetail),
    currency: c.currency,
    minimumContractMonths: s(c.minimumContractMonths),
    creditLimit: c.creditLimit,
    taxIds: c.taxIds.map(String),
    lowBalanceThreshold: c.lowBalanceThreshold,
    autoTopUp: check(c.autoTopUp),
    billingAddress: Object.fromEntries(Object.entries(c.billingAddress ?? {}).map(([k, v]) => [k, s(v)])),
    affiliate: c.affiliate
      ? { customerId: String(c.affiliate.customerId), percentage: c.affiliate.percentage, basis: c.affiliate.basis }
      : { customerId: '', percentage: '', basis: 'revenue' },
  };
}

/** A new customer's starting values: the parent's defaults. */
export function newCustomerValues(type: CustomerType, o: CustomerFormOptions): FormValues {
  const ownPlans = o.ratePlans.filter((p) => !p.shared);
  return {
    type,
    timezone: o.defaults.timezone,
    billingType: o.defaults.billingType,
    paymentType: o.defaults.paymentType,
    creditLimit: o.defaults.creditLimit,
    lowBalanceThreshold: o.defaults.lowBalanceThreshold,
    taxIds: o.defaults.taxIds.map(String),
    ratePlanId: o.ratePlans.length === 1 ? String(o.ratePlans[0].id) : ownPlans.length === 1 ? String(ownPlans[0].id) : '',
    currency: '',
    dailySpendLimitMode: '',
    maxConcurrentCallsMode: '',
    billingAddress: {},
    affiliate: { customerId: '', percentage: '', basis: 'revenue' },
  };
}

interface Option {
  value: string;
  label: string;
}
const opts = (values: readonly (string | number)[], labels: Record<string, string> = {}): Option[] =>
  values.map((v) => ({ value: String(v), label: labels[String(v)] ?? String(v) }));

let countries: Option[] | null = null;
/** ISO 3166-1 alpha-2 codes with English names, sorted by name. */
export function countryOptions(): Option[] {
  if (countries) return countries;
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  const out: Option[] = [];
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      if (!isISO31661Alpha2(code)) continue;
      const name = names.of(code);
      out.push({ value: code, label: name && name !== code ? `${name} (${code})` : code });
    }
  }
  countries = out.sort((x, y) => x.label.localeCompare(y.label, 'en'));
  return countries;
}

/** Option lists for the form's selects, labelled for people. */
export function customerFormLists(o: CustomerFormOptions, type: CustomerType, selfId?: number) {
  return {
    ratePlans: o.ratePlans.map((p) => ({ value: String(p.id), label: `${p.name} (${p.currency})${p.shared ? ' — shared' : ''}` })),
    taxes: o.taxes.map((t) => ({
      value: String(t.id),
      label: [t.name, t.percentage ? `${t.percentage}%` : null, t.flatAmount ? `${t.flatAmount} ${t.currency ?? ''}`.trim() : null]
        .filter(Boolean)
        .join(' · '),
    })),
    regions: o.regions.map((r) => ({ value: String(r.id), label: r.name })),
    dialPlans: o.dialPlans.map((d) => ({ value: String(d.id), label: d.name })),
    freeNumbers: type === 'residential' ? o.freeNumbers.map((n) => ({ value: n.number, label: n.number })) : [],
    affiliates: o.affiliates
      .filter((a) => a.id !== selfId)
      .map((a) => ({ value: String(a.id), label: a.accountNumber ? `${a.name} (${a.accountNumber})` : a.name })),
    currencies: o.currencies.map((c) => ({ value: c, label: c })),
    timeZones: o.timeZones.map((z) => ({ value: z, label: z.replace(/_/g, ' ') })),
    billingTypes: opts(o.enums.billingTypes, BILLING_TYPE_LABELS),
    paymentTypes: opts(o.enums.paymentTypes, PAYMENT_TYPE_LABELS),
    invoiceFormats: opts(o.enums.invoiceFormats, INVOICE_FORMAT_LABELS),
    invoiceDetails: opts(o.enums.invoiceDetails, INVOICE_DETAIL_LABELS),
    contractMonths: o.enums.contractMonths.map((m) => ({ value: String(m), label: contractLabel(m) })),
    affiliateBases: opts(o.enums.affiliateBases, AFFILIATE_BASIS_LABELS),
    yesNo: [
      { value: 'true', label: 'Yes' },
      { value: 'false', label: 'No' },
    ],
    limitModes: [
      { value: 'unlimited', label: 'Unlimited' },
      { value: 'amount', label: 'Limit to:' },
    ],
    countries: countryOptions(),
    flags: o.settings,
  };
}
