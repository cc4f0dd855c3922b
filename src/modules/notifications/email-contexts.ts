/**
 * The context each template under templates/emails expects (the same list is at the top of each
 * <name>.text.hbs). Amounts are decimal strings (Money.toString() or toFixed(minor units)); instants are
 * Date or ISO strings (the context is stored as JSON); dates are YYYY-MM-DD.
 */
export interface EmailContexts {
  'login-details': {
    customerName: string;
    username: string;
    setPasswordUrl: string | null;
    expiresAt: Date | string | null;
    passwordWasSet: boolean;
    /** Added later (optional: mails queued before render without): the person greeted. */
    personName?: string;
    /** Who opened the account: the customer's parent (its company name), shown in the layout too. */
    issuerName?: string;
    /** The issuer's logo (an https URL), when it has one. */
    issuerLogoUrl?: string | null;
  };
  'low-balance': {
    customerName: string;
    balance: string;
    threshold: string;
    currency: string;
    autoTopUp: boolean;
    topUpAmount: string | null;
  };
  'daily-limit-reached': {
    customerName: string;
    dailyLimit: string;
    spentToday: string;
    currency: string;
    day: string;
    forParent: boolean;
  };
  'topup-request': {
    customerName: string;
    accountNumber: string | null;
    amount: string;
    currency: string;
    automatic: boolean;
    requestedAt: Date | string;
    reviewUrl: string | null;
  };
  'topup-outcome': {
    customerName: string;
    amount: string;
    currency: string;
    approved: boolean;
    reason: string | null;
    newBalance: string | null;
    decidedAt: Date | string;
  };
  'invoice-issued': {
    customerName: string;
    issuerName: string;
    invoiceNumber: string;
    issueDate: string;
    dueDate: string | null;
    total: string;
    currency: string;
    settledFromBalance: boolean;
    creditNote: boolean;
    attachedFormat: 'pdf' | 'xml' | null;
    invoiceUrl: string | null;
  };
  'invoice-overdue': {
    customerName: string;
    issuerName: string;
    invoiceNumber: string;
    issueDate: string;
    dueDate: string;
    daysOverdue: number;
    total: string;
    amountDue: string;
    currency: string;
    invoiceUrl: string | null;
  };
}

export type EmailTemplate = keyof EmailContexts;
export const EMAIL_TEMPLATE_NAMES: readonly EmailTemplate[] = [
  'login-details',
  'low-balance',
  'daily-limit-reached',
  'topup-request',
  'topup-outcome',
  'invoice-issued',
  'invoice-overdue',
];
