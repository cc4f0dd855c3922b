import { buildMessage, ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { Money } from '../../../shared/money';
import { validateMarkupPercent } from '../domain/markup';

/** Optional in a PATCH body, but when present it must be valid: `null` is not "absent". */
export const Present = () => ValidateIf((_o, v) => v !== undefined);
/** Optional and nullable (null = inherit): validated only when a value is given. */
export const NullableOptional = () => ValidateIf((_o, v) => v !== undefined && v !== null);

export const isNonNegativeMoney = (v: unknown): boolean => {
  const m = Money.parse(v);
  return m !== null && !m.isNegative();
};

/** A percentage markup within the domain's range (see validateMarkupPercent). */
export function IsMarkupPercent(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMarkupPercent',
      validator: {
        validate: (v) => validateMarkupPercent(v) === null,
        defaultMessage: (args) => `${args?.property ?? 'value'} ${validateMarkupPercent(args?.value) ?? 'is invalid'}`,
      },
    },
    options,
  );
}

/** Money >= 0 or the word "unlimited". */
export function IsMoneyOrUnlimited(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMoneyOrUnlimited',
      validator: {
        validate: (v) => v === 'unlimited' || isNonNegativeMoney(v),
        defaultMessage: buildMessage((each) => `${each}$property must be a decimal string >= 0 (e.g. "50.00") or "unlimited"`, options),
      },
    },
    options,
  );
}

/** An integer >= 0 or the word "unlimited". */
export function IsIntOrUnlimited(options?: ValidationOptions & { max?: number }): PropertyDecorator {
  const max = options?.max ?? 1_000_000;
  return ValidateBy(
    {
      name: 'isIntOrUnlimited',
      validator: {
        validate: (v) => v === 'unlimited' || (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max),
        defaultMessage: buildMessage((each) => `${each}$property must be a whole number from 0 to ${max} or "unlimited"`, options),
      },
    },
    options,
  );
}
