/**
 * The ledger's vocabulary (DOMAIN.md §4): every balance change is an append-only transaction of one of
 * these types, with a signed amount (positive raises the balance: "the parent owes the customer more").
 */
export const TRANSACTION_TYPES = [
  'call',
  'message',
  'signup_fee',
  'account_fee',
  'line_fee',
  'number_fee',
  'charge',
  'tax',
  'credit',
  'topup',
  'voucher',
  'payment',
  'affiliate_fee',
  'adjustment',
] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

/** What an administrator of an ancestor may post by hand (POST /customers/:id/balance): always a positive amount. */
export const MANUAL_TYPES = ['credit', 'topup', 'payment'] as const satisfies readonly TransactionType[];
export type ManualType = (typeof MANUAL_TYPES)[number];

export const TRANSACTION_TYPE_LABELS: Record<TransactionType, string> = {
  call: 'Call',
  message: 'Message',
  signup_fee: 'Sign-up fee',
  account_fee: 'Account fee',
  line_fee: 'Line fee',
  number_fee: 'Number fee',
  charge: 'Charge',
  tax: 'Tax',
  credit: 'Credit',
  topup: 'Top-up',
  voucher: 'Voucher',
  payment: 'Payment',
  affiliate_fee: 'Affiliate fee',
  adjustment: 'Adjustment',
};

export const isTransactionType = (v: unknown): v is TransactionType => TRANSACTION_TYPES.some((t) => t === v);

/** Longest description and reference a transaction keeps (the columns' lengths). */
export const DESCRIPTION_MAX = 500;
export const REFERENCE_MAX = 100;
