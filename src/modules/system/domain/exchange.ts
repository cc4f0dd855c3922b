import { BusinessRuleError, type ErrorCode } from '../../../shared/errors';
import { Dec, Money } from '../../../shared/money';

/**
 * Exchange rates are stored as "units of `currency` per one unit of the system currency", effective
 * from `validFrom`. The system currency itself always has rate 1 and never needs a row.
 */
export interface ExchangeRateRow {
  currency: string;
  /** Exact decimal text, e.g. "1.0825" or "0.000012345678". */
  rate: string;
  validFrom: Date;
}

export interface RateTable {
  systemCurrency: string;
  rows: readonly ExchangeRateRow[];
}

/** Accepted at the API edge: up to 16 integer digits and up to 12 decimals, no sign, no exponent. */
export const EXCHANGE_RATE_PATTERN = /^\d{1,16}(\.\d{1,12})?$/;

export function isValidExchangeRate(text: unknown): text is string {
  return typeof text === 'string' && EXCHANGE_RATE_PATTERN.test(text) && new Dec(text).greaterThan(0);
}

export class NoExchangeRateError extends BusinessRuleError {
  static override readonly defaultCode: ErrorCode = 'no_exchange_rate';
  constructor(
    readonly currency: string,
    readonly at: Date,
  ) {
    super(`no exchange rate for ${currency} in force at ${at.toISOString()}`);
  }
}

/** The rate of `currency` in force at `at`: the row with the latest `validFrom` <= `at`. */
export function rateAt(table: RateTable, currency: string, at: Date): Dec {
  if (currency === table.systemCurrency) return new Dec(1);
  let best: ExchangeRateRow | null = null;
  for (const row of table.rows) {
    if (row.currency !== currency || row.validFrom.getTime() > at.getTime()) continue;
    if (!best || row.validFrom.getTime() > best.validFrom.getTime()) best = row;
  }
  if (!best) throw new NoExchangeRateError(currency, at);
  return new Dec(best.rate);
}

export interface Conversion {
  amount: Money;
  /** The factor applied (units of `to` per unit of `from`), to 60 significant digits. */
  rate: Dec;
  /** The stored rates used (units per unit of the system currency), exact, for the transaction's record. */
  fromRate: Dec;
  toRate: Dec;
}

/**
 * amount in `from` → amount in `to` at the rates in force at `at`: amount / rate(from) * rate(to).
 * The product is computed exactly (60 significant digits) and rounded once to Money's 6 places,
 * half away from zero. Same currency: the amount unchanged, no rate needed.
 */
export function convertWithRate(amount: Money, from: string, to: string, rates: RateTable, at: Date): Conversion {
  if (from === to) return { amount, rate: new Dec(1), fromRate: new Dec(1), toRate: new Dec(1) };
  const fromRate = rateAt(rates, from, at);
  const toRate = rateAt(rates, to, at);
  return {
    amount: Money.of(amount.toDecimal().dividedBy(fromRate).times(toRate)),
    rate: toRate.dividedBy(fromRate),
    fromRate,
    toRate,
  };
}

export function convert(amount: Money, from: string, to: string, rates: RateTable, at: Date): Money {
  return convertWithRate(amount, from, to, rates, at).amount;
}
