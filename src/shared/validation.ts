import { ValidateBy, ValidationOptions, buildMessage } from 'class-validator';
import { IANAZone } from 'luxon';
import { Money } from './money';

/** ISO 4217 codes known to the runtime's ICU data (current and historic active codes). */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
export const currencyCodes = (): string[] => [...CURRENCIES].sort();
export const isCurrencyCode = (v: unknown): v is string => typeof v === 'string' && CURRENCIES.has(v);

/** Decimal places of a currency's minor unit (EUR 2, JPY 0, BHD 3). */
export function currencyMinorUnits(code: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
}

export const isIanaTimeZone = (v: unknown): v is string => typeof v === 'string' && v.length <= 64 && IANAZone.isValidZone(v);
let zones: string[] | null = null;
export const timeZoneNames = (): string[] => (zones ??= ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')]);

/** Decimal string money: "12.50", "-0.012345"; a JSON number, exponent, or >6 places is refused. */
export function IsMoney(options?: ValidationOptions & { min?: string }): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMoney',
      validator: {
        validate: (v) => {
          const m = Money.parse(v);
          return m !== null && (options?.min === undefined || m.gte(Money.of(options.min)));
        },
        defaultMessage: buildMessage(
          (each) =>
            `${each}$property must be a decimal string with up to 6 decimal places${options?.min !== undefined ? ` and at least ${options.min}` : ''}`,
          options,
        ),
      },
    },
    options,
  );
}

/** A decimal string (percentages, rates) within [min, max]. */
export function IsDecimalString(options: ValidationOptions & { min?: string; max?: string } = {}): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDecimalString',
      validator: {
        validate: (v) => {
          const m = Money.parse(v);
          if (!m) return false;
          if (options.min !== undefined && m.lt(Money.of(options.min))) return false;
          if (options.max !== undefined && m.gt(Money.of(options.max))) return false;
          return true;
        },
        defaultMessage: buildMessage(
          (each) => `${each}$property must be a decimal string between ${options.min ?? '-∞'} and ${options.max ?? '∞'}`,
          options,
        ),
      },
    },
    options,
  );
}

export function IsIanaTimeZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIanaTimeZone',
      validator: {
        validate: isIanaTimeZone,
        defaultMessage: buildMessage((each) => `${each}$property must be an IANA time zone such as Europe/London`, options),
      },
    },
    options,
  );
}

export function IsCurrencyCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCurrencyCode',
      validator: {
        validate: isCurrencyCode,
        defaultMessage: buildMessage((each) => `${each}$property must be an ISO 4217 currency code such as EUR`, options),
      },
    },
    options,
  );
}

/** An ISO 8601 date-time with seconds optional and an explicit offset: "2026-11-25T19:00:00Z", "...+01:00". */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,3})?)?(Z|[+-](\d{2}):(\d{2}))$/;
/** The instants both databases store: MariaDB's DATETIME holds the years 1000 to 9999. */
const FIRST_INSTANT = Date.UTC(1000, 0, 1);
const END_OF_INSTANTS = Date.UTC(10000, 0, 1);
/**
 * A real calendar date and time (JavaScript's parser takes 2026-02-30 as 2 March and 24:00 as the next day:
 * issue #13's fuzz found both stored), within the years both databases hold.
 */
export const isIsoInstant = (v: unknown): v is string => {
  if (typeof v !== 'string') return false;
  const m = ISO_INSTANT.exec(v);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[7] ?? '0'].map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return false;
  if (m[10] !== undefined && (Number(m[10]) > 23 || Number(m[11]) > 59)) return false;
  const t = Date.parse(v);
  return t >= FIRST_INSTANT && t < END_OF_INSTANTS;
};

/** A calendar date YYYY-MM-DD that exists (no 2026-02-30), within the years both databases store. */
export const isCalendarDate = (v: unknown): v is string =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && isIsoInstant(`${v}T00:00:00Z`);

export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: isCalendarDate,
        defaultMessage: buildMessage((each) => `${each}$property must be a date as YYYY-MM-DD`, options),
      },
    },
    options,
  );
}

export function IsIsoInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIsoInstant',
      validator: {
        validate: isIsoInstant,
        defaultMessage: buildMessage(
          (each) => `${each}$property must be an ISO 8601 date-time with offset, e.g. 2026-11-25T19:00:00Z`,
          options,
        ),
      },
    },
    options,
  );
}

/** Names and free text: no control characters (markup is allowed and stored as typed; pages escape it). */
export function IsPlainText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPlainText',
      validator: {
        // eslint-disable-next-line no-control-regex
        validate: (v) => typeof v === 'string' && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v),
        defaultMessage: buildMessage((each) => `${each}$property must be text without control characters`, options),
      },
    },
    options,
  );
}
