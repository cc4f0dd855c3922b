import type Decimal from 'decimal.js';
import type { ThrottlePolicy } from '../../../shared/throttle.service';

/**
 * The rules of redeeming a voucher (DOMAIN.md §6), pure: which customers may, when a voucher is
 * unavailable, how the exchange rate is written down, and the throttle's buckets.
 */

/** Billing types that may redeem vouchers: the prepaid ones (a voucher is prepaid money). */
export const VOUCHER_BILLING_TYPES = ['prepaid', 'prepaid_calls', 'prepaid_invoices'] as const;

export const mayRedeemVouchers = (billingType: string): boolean => (VOUCHER_BILLING_TYPES as readonly string[]).includes(billingType);

/** Why a voucher that exists cannot be redeemed now, in the order they are checked; null when it can. */
export type Unavailable = 'redeemed' | 'locked' | 'expired';

export function unavailability(
  voucher: { redeemed: boolean },
  batch: { locked: boolean; expiresAt: Date | null },
  now: Date,
): Unavailable | null {
  if (voucher.redeemed) return 'redeemed';
  if (batch.locked) return 'locked';
  if (batch.expiresAt !== null && batch.expiresAt.getTime() <= now.getTime()) return 'expired';
  return null;
}

export const UNAVAILABLE_MESSAGES: Record<Unavailable, string> = {
  redeemed: 'this voucher was already redeemed',
  locked: 'this voucher is locked by its issuer',
  expired: 'this voucher has expired',
};

/**
 * The same answer for an unknown serial and for an account number that does not go with it (or a
 * customer outside the caller's tree), so that serials cannot be probed.
 */
export const INVALID_VOUCHER_MESSAGE = 'no voucher with this serial for this account number';

/** Longest exchange rate text a transaction keeps (the column's length). */
const RATE_TEXT_MAX = 40;

/**
 * The factor a voucher's value was multiplied by, as the ledger keeps it: plain decimal text (never an
 * exponent), at most 20 significant digits and 40 characters. The credited amount itself is computed
 * from the exact rates, not from this text.
 */
export function exchangeRateText(rate: Decimal): string {
  for (let digits = 20; digits >= 1; digits--) {
    const text = rate.toSignificantDigits(digits).toFixed();
    const trimmed = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
    if (trimmed.length <= RATE_TEXT_MAX) return trimmed;
  }
  return rate.toExponential(10);
}

/** Failed redemptions per account (the parent and the account number): a handful an hour. */
export const VOUCHER_ACCOUNT_THROTTLE: ThrottlePolicy = { maxFailures: 5, windowSeconds: 3600, blockSeconds: 3600 };
/** Failed redemptions per client address: more, since offices share one address. */
export const VOUCHER_IP_THROTTLE: ThrottlePolicy = { maxFailures: 30, windowSeconds: 3600, blockSeconds: 3600 };

/** The bucket of an account: its parent and its account number (unique per parent, ignoring case). */
export const accountBucket = (parentId: number, accountNumber: string): string =>
  `voucher:account:${parentId}:${accountNumber.trim().toLowerCase()}`;
export const addressBucket = (clientIp: string): string => `voucher:ip:${clientIp}`;

/**
 * Which parent an attempt counts against. The voucher's issuer when the serial is known (the customer
 * must be its child). Otherwise the parent of the account the caller most plausibly meant: its own
 * parent when it acts for a customer with that account number (a customer redeeming for itself), else
 * itself (an administrator redeeming for a child).
 */
export function throttleParent(
  issuerId: number | null,
  caller: { customerId: number; parentId: number | null; accountNumber: string | null },
  accountNumber: string,
): number {
  if (issuerId !== null) return issuerId;
  const own = caller.accountNumber !== null && caller.accountNumber.trim().toLowerCase() === accountNumber.trim().toLowerCase();
  return own && caller.parentId !== null ? caller.parentId : caller.customerId;
}
