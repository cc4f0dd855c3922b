import Decimal from 'decimal.js';

/**
 * Exact money. Every amount in the platform is a Money; nothing money-related ever passes through a
 * JavaScript number. Amounts keep MONEY_SCALE (6) decimal places; `round()` is the one rounding
 * function (half away from zero) and is called only at the points the README documents.
 */
export const MONEY_SCALE = 6;

/**
 * Largest magnitude we store: 2^53-1 micro-units (9,007,199,254.740991). Micro-units live in BIGINT
 * columns; SQLite's driver hands integers back as JS numbers, which are exact only up to 2^53-1, so the
 * range is capped where both databases round-trip exactly.
 */
export const MAX_MICROS = BigInt(Number.MAX_SAFE_INTEGER);

/** An isolated Decimal constructor so no other code can change our precision or rounding. */
export const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -30, toExpPos: 60 });
export type Dec = Decimal;

/** Accepted at the API edge: optional minus, digits, up to 6 decimals. No exponent, no plus sign. */
export const MONEY_PATTERN = /^-?\d{1,16}(\.\d{1,6})?$/;

export class MoneyRangeError extends Error {}

/** The one rounding function: `places` decimals, half away from zero. */
export function roundHalfAwayFromZero(value: Decimal, places: number): Decimal {
  return new Dec(value).toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
}

export class Money {
  private constructor(private readonly value: Decimal) {}

  static readonly ZERO = new Money(new Dec(0));

  /** From a trusted decimal string or Decimal (e.g. a constant in code). Keeps 6 places exactly. */
  static of(value: string | Decimal | bigint): Money {
    const d = new Dec(typeof value === 'bigint' ? value.toString() : value);
    if (!d.isFinite()) throw new MoneyRangeError('not a finite amount');
    return new Money(roundHalfAwayFromZero(d, MONEY_SCALE));
  }

  /** Strict parse of untrusted text (API, forms, CSV). Returns null when it is not a money string. */
  static parse(text: unknown): Money | null {
    if (typeof text !== 'string' || !MONEY_PATTERN.test(text)) return null;
    const m = new Money(new Dec(text));
    return m.inStorableRange() ? m : null;
  }

  /** From a BIGINT micro-unit column value (mysql2 gives strings, better-sqlite3 gives numbers). */
  static fromMicros(micros: string | number | bigint): Money {
    if (typeof micros === 'number' && !Number.isSafeInteger(micros)) {
      throw new MoneyRangeError(`micro-units out of exact range: ${micros}`);
    }
    return new Money(new Dec(micros.toString()).dividedBy(1_000_000));
  }

  /** Integer micro-units as a decimal string, for BIGINT columns. Throws outside the storable range. */
  toMicros(): string {
    if (!this.inStorableRange()) throw new MoneyRangeError(`amount out of storable range: ${this.toString()}`);
    return this.value.times(1_000_000).toFixed(0);
  }

  inStorableRange(): boolean {
    const micros = BigInt(this.value.times(1_000_000).toFixed(0));
    return micros <= MAX_MICROS && micros >= -MAX_MICROS;
  }

  plus(other: Money): Money {
    return new Money(this.value.plus(other.value));
  }
  minus(other: Money): Money {
    return new Money(this.value.minus(other.value));
  }
  /** Multiply by an exact factor (quantity, percentage/100, exchange rate); result keeps 6 places. */
  times(factor: Decimal | string | number): Money {
    if (typeof factor === 'number' && !Number.isInteger(factor)) throw new MoneyRangeError('factor must be exact');
    return new Money(roundHalfAwayFromZero(this.value.times(new Dec(factor)), MONEY_SCALE));
  }
  negated(): Money {
    return new Money(this.value.negated());
  }
  abs(): Money {
    return new Money(this.value.abs());
  }
  /** Rounded to `places` decimals, half away from zero (invoice totals, call prices at plan precision). */
  round(places: number): Money {
    return new Money(roundHalfAwayFromZero(this.value, places));
  }

  isZero(): boolean {
    return this.value.isZero();
  }
  isNegative(): boolean {
    return this.value.isNegative() && !this.value.isZero();
  }
  isPositive(): boolean {
    return this.value.isPositive() && !this.value.isZero();
  }
  compare(other: Money): -1 | 0 | 1 {
    return this.value.comparedTo(other.value) as -1 | 0 | 1;
  }
  equals(other: Money): boolean {
    return this.value.equals(other.value);
  }
  lt(other: Money): boolean {
    return this.value.lessThan(other.value);
  }
  lte(other: Money): boolean {
    return this.value.lessThanOrEqualTo(other.value);
  }
  gt(other: Money): boolean {
    return this.value.greaterThan(other.value);
  }
  gte(other: Money): boolean {
    return this.value.greaterThanOrEqualTo(other.value);
  }
  static max(a: Money, b: Money): Money {
    return a.gte(b) ? a : b;
  }
  static min(a: Money, b: Money): Money {
    return a.lte(b) ? a : b;
  }
  static sum(items: Iterable<Money>): Money {
    let total = new Dec(0);
    for (const m of items) total = total.plus(m.value);
    return new Money(total);
  }

  toDecimal(): Decimal {
    return this.value;
  }
  /** Fixed number of decimals, e.g. `toFixed(2)` for a currency's minor unit. Rounds half away from zero. */
  toFixed(places: number): string {
    return roundHalfAwayFromZero(this.value, places).toFixed(places);
  }
  /** API form: at least 2 decimals, up to 6, no trailing zeros beyond the second ("12.50", "-0.012345"). */
  toString(): string {
    const full = this.value.toFixed(MONEY_SCALE);
    const trimmed = full.replace(/0{1,4}$/, '');
    return trimmed === '-0.00' ? '0.00' : trimmed;
  }
  toJSON(): string {
    return this.toString();
  }
}
