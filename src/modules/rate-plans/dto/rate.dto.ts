import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { FormatParam, SortParam, type ListFormat } from '../../../shared/http/list-query';
import { PageQuery } from '../../../shared/pagination';
import { IsIsoInstant } from '../../../shared/validation';
import type { Direction } from '../domain/rate';
import { NullableOptional, Present } from './validators';

export const DIRECTIONS = ['outbound', 'inbound'] as const;

/**
 * JSON shape of one rate. Only the JSON types are checked here; what the values mean (digits, money,
 * HH:MM, days, ranges) is checked by the same row parser the CSV import uses, so both accept exactly
 * the same rates.
 */
export class RateFieldsDto {
  @ApiPropertyOptional({ example: '4930', description: 'destination prefix, 1-20 digits' })
  @Present()
  @IsString()
  prefix?: string;

  @ApiPropertyOptional({ example: 'Germany Berlin' })
  @Present()
  @IsString()
  destination?: string;

  @ApiPropertyOptional({ enum: DIRECTIONS })
  @Present()
  @IsIn(DIRECTIONS)
  direction?: Direction;

  @ApiPropertyOptional({ example: '0.00', description: 'money >= 0' })
  @Present()
  @IsString()
  connectFee?: string;

  @ApiPropertyOptional({ example: 0, description: 'seconds covered by the connect fee' })
  @Present()
  @IsInt()
  includedSeconds?: number;

  @ApiPropertyOptional({ example: '0.012', description: 'price per minute, money >= 0' })
  @Present()
  @IsString()
  perMinute?: string;

  @ApiPropertyOptional({ example: 1, description: 'minimum billed seconds after the included seconds' })
  @Present()
  @IsInt()
  firstBlock?: number;

  @ApiPropertyOptional({ example: 1, minimum: 1, description: 'billing increment in seconds' })
  @Present()
  @IsInt()
  increment?: number;

  @ApiPropertyOptional({ example: '0.00' })
  @Present()
  @IsString()
  minimumCharge?: string;

  @ApiPropertyOptional({ example: '0.00', description: 'price per message' })
  @Present()
  @IsString()
  perMessage?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '12345',
    description: 'days of week the band applies, Monday = 1; null = every day',
  })
  @NullableOptional()
  @IsString()
  days?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '08:00', description: 'HH:MM in the system time zone; null = 00:00' })
  @NullableOptional()
  @IsString()
  startTime?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '18:00', description: 'HH:MM (24:00 allowed); null = end of day' })
  @NullableOptional()
  @IsString()
  endTime?: string | null;

  @ApiPropertyOptional({ example: 0, description: 'higher wins among rates of the same prefix' })
  @Present()
  @IsInt()
  priority?: number;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time', example: '2026-11-25T19:00:00.000Z' })
  @NullableOptional()
  @IsString()
  validFrom?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time', example: null })
  @NullableOptional()
  @IsString()
  validUntil?: string | null;
}

/** prefix, destination and perMinute are required; the rest default as documented. */
export class CreateRateDto extends RateFieldsDto {}
// Said in OpenAPI here: the row parser refuses a new rate without them; a PATCH may leave any field out.
for (const field of ['prefix', 'destination', 'perMinute'] as const) ApiProperty({ required: true })(CreateRateDto.prototype, field);
const CREATE_DEFAULTS = {
  direction: 'outbound',
  connectFee: '0.00',
  includedSeconds: 0,
  firstBlock: 1,
  increment: 1,
  minimumCharge: '0.00',
  perMessage: '0.00',
  priority: 0,
} as const;
for (const [field, value] of Object.entries(CREATE_DEFAULTS)) ApiPropertyOptional({ default: value })(CreateRateDto.prototype, field);

export class UpdateRateDto extends RateFieldsDto {}

/** The columns a rate list sorts by; prefix by default. */
export const RATE_SORTS = ['prefix', 'destination', 'direction', 'perMinute', 'connectFee', 'priority'] as const;
export type RateSort = (typeof RATE_SORTS)[number];

export class ListRatesQuery extends PageQuery {
  @ApiPropertyOptional({
    description:
      'a number as people write it (`+44 20 7946 0000`, `0044 20…`, `4420`): the prefixes starting with its digits and, for ' +
      '6 digits or more (a telephone number), the prefixes it starts with (the rates a call to it could use); text: destination contains',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'list the deck in force at this time (default: now)',
    example: '2026-11-25T19:00:00.000Z',
  })
  @IsOptional()
  @IsIsoInstant()
  at?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'list this deck of the plan instead', example: 8 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  deckId?: number;

  @ApiPropertyOptional({ enum: DIRECTIONS, description: 'only rates of this direction' })
  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: Direction;

  @SortParam(RATE_SORTS, 'prefix') sort?: string;
  @FormatParam() format?: ListFormat;
}

export class ExportRatesQuery {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'export the deck in force at this time (default: now)',
    example: '2026-11-25T19:00:00.000Z',
  })
  @IsOptional()
  @IsIsoInstant()
  at?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'export this deck of the plan instead', example: 8 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  deckId?: number;
}

export class ImportRatesQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'answer { added, changed, removed } and change nothing' })
  @IsOptional()
  @IsIn(['true', 'false'])
  preview?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'the new deck takes effect at this future time; the current rates stay in force until then',
  })
  @IsOptional()
  @IsIsoInstant()
  effectiveFrom?: string;
}

// ---- read model ----------------------------------------------------------------------------------

export class RateDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ type: 'integer', example: 8 }) deckId: number;
  @ApiProperty({ example: '4420' }) prefix: string;
  @ApiProperty({ example: 'United Kingdom London' }) destination: string;
  @ApiProperty({ enum: DIRECTIONS }) direction: Direction;
  @ApiProperty({ example: '0.05' }) connectFee: string;
  @ApiProperty({ example: 0 }) includedSeconds: number;
  @ApiProperty({ example: '1.20' }) perMinute: string;
  @ApiProperty({ example: 60 }) firstBlock: number;
  @ApiProperty({ example: 60 }) increment: number;
  @ApiProperty({ example: '0.00' }) minimumCharge: string;
  @ApiProperty({ example: '0.00' }) perMessage: string;
  @ApiProperty({ type: String, nullable: true, example: null }) days: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) startTime: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) endTime: string | null;
  @ApiProperty({ example: 0 }) priority: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) validFrom: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null }) validUntil: string | null;
}

export class RateDeckDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) effectiveFrom: string;
  @ApiProperty({ enum: ['pending', 'active', 'superseded'], description: 'pending: takes effect later; active: in force now' })
  status: string;
  @ApiProperty({ example: 2 }) rateCount: number;
  @ApiProperty({ enum: ['import', 'manual'] }) source: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
}

export class RatePageDto {
  @ApiProperty({ type: [RateDto] }) items: RateDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
  @ApiProperty({ type: RateDeckDto, nullable: true, description: 'the deck listed (null: the plan has no rates at that time)' })
  deck: RateDeckDto | null;
}

export class DeckDiffDto {
  @ApiProperty({ example: 2 }) added: number;
  @ApiProperty({ example: 0 }) changed: number;
  @ApiProperty({ example: 0 }) removed: number;
  @ApiProperty({ example: 0 }) unchanged: number;
}

export class ImportResultDto {
  @ApiProperty({ description: 'false for a preview', example: true }) applied: boolean;
  @ApiProperty({ description: 'data rows in the deck', example: 2 }) rows: number;
  @ApiProperty({ type: RateDeckDto, nullable: true, description: 'the deck created (null for a preview)' }) deck: RateDeckDto | null;
  @ApiProperty({ type: Number, nullable: true, description: 'preview: rates only in the new deck', example: 2 }) added: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'preview: rates in both whose values differ', example: 0 }) changed:
    number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'preview: rates only in the rates replaced', example: 0 }) removed:
    number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'preview: rates in both, identical', example: 0 }) unchanged: number | null;
}
