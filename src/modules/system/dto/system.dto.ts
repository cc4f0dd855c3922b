import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Min,
  ValidateIf,
  ValidateBy,
  ValidationOptions,
  buildMessage,
} from 'class-validator';
import { FormatParam, SortParam, sortValues, type ListFormat } from '../../../shared/http/list-query';
import { PageQuery } from '../../../shared/pagination';
import { IsCurrencyCode, IsIanaTimeZone, IsIsoInstant, IsPlainText } from '../../../shared/validation';
import { isValidExchangeRate } from '../domain/exchange';

/** Optional in a PATCH body, but when present it must be valid: `null` is not "absent". */
const Present = () => ValidateIf((_o, v) => v !== undefined);

function IsExchangeRate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isExchangeRate',
      validator: {
        validate: isValidExchangeRate,
        defaultMessage: buildMessage(
          (each) => `${each}$property must be a decimal string greater than 0 with up to 12 decimal places`,
          options,
        ),
      },
    },
    options,
  );
}

// ---- system settings -------------------------------------------------------------------------

export class SystemSettingsDto {
  @ApiProperty({ description: 'customers may be given a numeric customer prefix' }) customerPrefixes: boolean;
  @ApiProperty({ description: 'customers may be given a region' }) regions: boolean;
  @ApiProperty({ description: "the system owner's rate plan holding carriers' costs", nullable: true, type: Number }) costPlanId:
    number | null;
  @ApiProperty({ example: 'Europe/London', description: 'system time zone (IANA): time bands, nightly jobs' }) timezone: string;
  @ApiProperty({ example: 'EUR', description: 'system currency (ISO 4217): exchange rates are per unit of it' }) currency: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) updatedAt: string;
}

export class UpdateSystemSettingsDto {
  @ApiPropertyOptional() @Present() @IsBoolean() customerPrefixes?: boolean;
  @ApiPropertyOptional() @Present() @IsBoolean() regions?: boolean;
  @ApiPropertyOptional({ type: 'integer', description: 'a rate plan owned by the system owner' })
  @Present()
  @IsInt()
  @Min(1)
  costPlanId?: number;
  @ApiPropertyOptional({ example: 'Europe/London' }) @Present() @IsIanaTimeZone() timezone?: string;
  @ApiPropertyOptional({ example: 'EUR', description: 'only while no exchange rates are recorded' })
  @Present()
  @IsCurrencyCode()
  currency?: string;
}

// ---- reference data ----------------------------------------------------------------------------

export class CurrencyDto {
  @ApiProperty({ example: 'EUR' }) code: string;
  @ApiProperty({ example: 2, description: 'decimal places of the minor unit' }) minorUnits: number;
  @ApiProperty({ example: 'Euro' }) name: string;
}

// ---- regions -----------------------------------------------------------------------------------

export class RegionDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ example: 'North' }) name: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
}

export class CreateRegionDto {
  @ApiProperty({ example: 'North', maxLength: 100 }) @IsString() @Length(1, 100) @IsPlainText() name: string;
}

export class UpdateRegionDto {
  @ApiPropertyOptional({ example: 'North', maxLength: 100 }) @Present() @IsString() @Length(1, 100) @IsPlainText() name?: string;
}

export class RegionPageDto {
  @ApiProperty({ type: [RegionDto] }) items: RegionDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}

// ---- dial plans --------------------------------------------------------------------------------

export class DialPlanDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ type: 'integer', description: 'the reseller (or system owner) that owns it', example: 3 }) ownerCustomerId: number;
  @ApiProperty({ example: 'UK national' }) name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ description: 'true when the acting customer owns it (and so may change it)' }) own: boolean;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
}

export class CreateDialPlanDto {
  @ApiProperty({ example: 'UK national', maxLength: 100 }) @IsString() @Length(1, 100) @IsPlainText() name: string;
  @ApiPropertyOptional({ maxLength: 500, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @Length(0, 500)
  @IsPlainText()
  description?: string | null;
}

export class UpdateDialPlanDto {
  @ApiPropertyOptional({ maxLength: 100, example: 'UK national' }) @Present() @IsString() @Length(1, 100) @IsPlainText() name?: string;
  @ApiPropertyOptional({
    maxLength: 500,
    nullable: true,
    type: String,
    description: 'null clears it',
    example: 'national numbers without the 0',
  })
  @IsOptional()
  @IsString()
  @Length(0, 500)
  @IsPlainText()
  description?: string | null;
}

export class DialPlanPageDto {
  @ApiProperty({ type: [DialPlanDto] }) items: DialPlanDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}

// ---- exchange rates ----------------------------------------------------------------------------

export class ExchangeRateDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: '1.0825', description: 'units of `currency` per unit of the system currency, exact text' }) rate: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) validFrom: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
}

export class CreateExchangeRateDto {
  @ApiProperty({ example: 'USD', description: 'ISO 4217; not the system currency (its rate is always 1)' })
  @IsCurrencyCode()
  currency: string;
  @ApiProperty({ example: '1.0825', description: 'decimal string > 0, up to 12 decimal places; kept exactly as sent' })
  @IsExchangeRate()
  rate: string;
  @ApiProperty({ example: '2026-12-01T00:00:00Z', format: 'date-time' }) @IsIsoInstant() validFrom: string;
}

/** The columns a region or dial plan list sorts by; name by default. */
export const NAMED_SORTS = ['name', 'createdAt'] as const;
export type NamedSort = (typeof NAMED_SORTS)[number];

/** GET /api/v1/regions and /api/v1/dial-plans. */
export class NamedListQuery extends PageQuery {
  @SortParam(NAMED_SORTS, 'name') sort?: string;
  @FormatParam() format?: ListFormat;
}

/** The columns an exchange rate list sorts by; newest validFrom first by default. */
export const EXCHANGE_RATE_SORTS = ['validFrom', 'currency', 'rate', 'createdAt'] as const;
export type ExchangeRateSort = (typeof EXCHANGE_RATE_SORTS)[number];

export class ExchangeRateQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'USD' }) @IsOptional() @IsCurrencyCode() currency?: string;

  @ApiPropertyOptional({
    enum: sortValues(EXCHANGE_RATE_SORTS),
    description: 'sort column, `-column` descending, ties by id; default: newest validFrom first, then by currency',
  })
  @IsOptional()
  @IsIn(sortValues(EXCHANGE_RATE_SORTS), { message: `must be one of ${sortValues(EXCHANGE_RATE_SORTS).join(', ')}` })
  sort?: string;

  @FormatParam() format?: ListFormat;
}

export class ExchangeRatePageDto {
  @ApiProperty({ type: [ExchangeRateDto] }) items: ExchangeRateDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}
