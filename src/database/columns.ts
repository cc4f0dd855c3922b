import { Column, ColumnOptions, ValueTransformer } from 'typeorm';
import { Dec, Money } from '../shared/money';
import type Decimal from 'decimal.js';

/**
 * Money is stored as BIGINT micro-units (6 decimals). DECIMAL would be exact on MariaDB but SQLite keeps
 * it as a float; integers are exact on both. mysql2 returns BIGINT as a string, better-sqlite3 as a number.
 */
export const moneyTransformer: ValueTransformer = {
  to: (value: Money | null | undefined) => (value == null ? value : value.toMicros()),
  from: (value: string | number | null) => (value == null ? null : Money.fromMicros(value)),
};

/** Exact non-money decimals with 6 places (percentages, markups): same storage as money. */
export const decimalTransformer: ValueTransformer = {
  to: (value: Decimal | null | undefined) => (value == null ? value : new Dec(value).times(1_000_000).toFixed(0)),
  from: (value: string | number | null) => (value == null ? null : new Dec(value.toString()).dividedBy(1_000_000)),
};

export function MoneyColumn(options: Omit<ColumnOptions, 'type' | 'transformer'> = {}): PropertyDecorator {
  return Column({ ...options, type: 'bigint', transformer: moneyTransformer });
}

export function DecimalColumn(options: Omit<ColumnOptions, 'type' | 'transformer'> = {}): PropertyDecorator {
  return Column({ ...options, type: 'bigint', transformer: decimalTransformer });
}

/** A UTC instant with milliseconds (`datetime(3)` on MariaDB). */
export function TimestampColumn(options: Omit<ColumnOptions, 'type' | 'precision'> = {}): PropertyDecorator {
  return Column({ ...options, type: 'datetime', precision: 3 });
}

/** A business date, 'YYYY-MM-DD', stored as text so no driver shifts it through a time zone. */
export function DateStringColumn(options: Omit<ColumnOptions, 'type' | 'length'> = {}): PropertyDecorator {
  return Column({ ...options, type: 'varchar', length: 10 });
}
