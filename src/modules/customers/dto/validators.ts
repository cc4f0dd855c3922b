import { buildMessage, IsOptional, ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { Money } from '../../../shared/money';

/**
 * Validators for the customer DTOs' union types and for the difference between "absent" (leave as is /
 * use the default) and null (clear a nullable setting).
 */

export const UNLIMITED_TEXT = 'unlimited';

/**
 * The field may be absent; when present it is validated, and null is refused (the other validators on the
 * property fail on null). `requiredWhen` makes it required for some DTO classes (e.g. on create).
 */
export function OptionalNotNull(requiredWhen?: (dto: object) => boolean): PropertyDecorator {
  return ValidateIf((dto: object, value: unknown) => value !== undefined || (requiredWhen ? requiredWhen(dto) : false));
}

/** The field may be absent or null (null = "not set": use the rate plan's value, or clear it). */
export const Nullable = (): PropertyDecorator => IsOptional();

/** Money >= min, or the word "unlimited". */
export function IsMoneyOrUnlimited(options: ValidationOptions & { min?: string } = {}): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMoneyOrUnlimited',
      validator: {
        validate: (v: unknown) => {
          if (v === UNLIMITED_TEXT) return true;
          const m = Money.parse(v);
          return m !== null && (options.min === undefined || m.gte(Money.of(options.min)));
        },
        defaultMessage: buildMessage(
          (each) =>
            `${each}$property must be "unlimited" or a decimal string with up to 6 decimal places${options.min !== undefined ? ` and at least ${options.min}` : ''}`,
          options,
        ),
      },
    },
    options,
  );
}

/** An integer in [min, max], or the word "unlimited". */
export function IsIntOrUnlimited(options: ValidationOptions & { min: number; max: number }): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIntOrUnlimited',
      validator: {
        validate: (v: unknown) =>
          v === UNLIMITED_TEXT || (typeof v === 'number' && Number.isInteger(v) && v >= options.min && v <= options.max),
        defaultMessage: buildMessage(
          (each) => `${each}$property must be "unlimited" or an integer from ${options.min} to ${options.max}`,
          options,
        ),
      },
    },
    options,
  );
}

/** A string with at least one character that is not white space (the value itself is stored as typed). */
export function IsNotBlank(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotBlank',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && v.trim().length > 0,
        defaultMessage: buildMessage((each) => `${each}$property must not be empty`, options),
      },
    },
    options,
  );
}

/** A string matching `pattern`, or the empty string (which the service treats as null). */
export function MatchesOrEmpty(pattern: RegExp, message: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'matchesOrEmpty',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && (v === '' || pattern.test(v)),
        defaultMessage: buildMessage((each) => `${each}$property ${message}`, options),
      },
    },
    options,
  );
}

/**
 * An absolute https URL with a host, or the empty string (= none). Only https: the URL goes into emails
 * and pages as an image source, where http would be mixed content and other schemes (javascript:, data:)
 * are no image at all. No white space, quotes or angle brackets (the email renderer refuses those too).
 */
export function IsHttpsUrlOrEmpty(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHttpsUrlOrEmpty',
      validator: {
        validate: (v: unknown) => {
          if (v === '') return true;
          if (typeof v !== 'string' || !/^https:\/\/[^\s"'<>\\]+$/.test(v)) return false;
          try {
            const url = new URL(v);
            return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
          } catch {
            return false;
          }
        },
        defaultMessage: buildMessage((each) => `${each}$property must be an https:// address such as https://example.com/logo.png`, options),
      },
    },
    options,
  );
}
