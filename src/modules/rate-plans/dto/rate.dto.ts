import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
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

  @ApiPropertyOptional({ enum: DIRECTIONS, default: 'outbound' })
  @Present()
  @IsIn(DIRECTIONS)
  direction?: Direction;

  @ApiPropertyOptional({ example: '0.00', default: '0.00', description: 'money >= 0' })
  @Present()
  @IsString()
  connectFee?: string;

  @ApiPropertyOptional({ default: 0, description: 'seconds covered by the connect fee' })
  @Present()
  @IsInt()
  includedSeconds?: number;

  @ApiPropertyOptional({ example: '0.012', description: 'price per minute, money >= 0' })
  @Present()
  @IsString()
  perMinute?: string;

  @ApiPropertyOptional({ default: 1, description: 'minimum billed seconds after the included seconds' })
  @Present()
  @IsInt()
  firstBlock?: number;

  @ApiPropertyOptional({ default: 1, minimum: 1, description: 'billing increment in seconds' })
  @Present()
  @IsInt()
  increment?: number;

  @ApiPropertyOptional({ example: '0.00', default: '0.00' })
  @Present()
  @IsString()
  minimumCharge?: string;

  @ApiPropertyOptional({ example: '0.00', default: '0.00', description: 'price per message' })
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

  @ApiPropertyOptional({ default: 0, description: 'higher wins among rates of the same prefix' })
  @Present()
  @IsInt()
  priority?: number;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' })
  @NullableOptional()
  @IsString()
  validFrom?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' })
  @NullableOptional()
  @IsString()
  validUntil?: string | null;
}

/** prefix, destination and perMinute are required; the rest default as documented. */
export class CreateRateDto extends RateFieldsDto {}

export class UpdateRateDto extends RateFieldsDto {}

export class ListRatesQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'digits: prefixes starting with them (or destinations containing them); text: destination contains' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'list the deck in force at this time (default: now)' })
  @IsOptional()
  @IsIsoInstant()
  at?: string;

  @ApiPropertyOptional({ description: 'list this deck of the plan instead' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  deckId?: number;
}

export class ExportRatesQuery {
  @ApiPropertyOptional({ format: 'date-time', description: 'export the deck in force at this time (default: now)' })
  @IsOptional()
  @IsIsoInstant()
  at?: string;

  @ApiPropertyOptional({ description: 'export this deck of the plan instead' })
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
  @ApiProperty() id: number;
  @ApiProperty() deckId: number;
  @ApiProperty() prefix: string;
  @ApiProperty() destination: string;
  @ApiProperty({ enum: DIRECTIONS }) direction: Direction;
  @ApiProperty() connectFee: string;
  @ApiProperty() includedSeconds: number;
  @ApiProperty() perMinute: string;
  @ApiProperty() firstBlock: number;
  @ApiProperty() increment: number;
  @ApiProperty() minimumCharge: string;
  @ApiProperty() perMessage: string;
  @ApiProperty({ type: String, nullable: true }) days: string | null;
  @ApiProperty({ type: String, nullable: true }) startTime: string | null;
  @ApiProperty({ type: String, nullable: true }) endTime: string | null;
  @ApiProperty() priority: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) validFrom: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) validUntil: string | null;
}

export class RateDeckDto {
  @ApiProperty() id: number;
  @ApiProperty({ format: 'date-time' }) effectiveFrom: string;
  @ApiProperty({ enum: ['pending', 'active', 'superseded'], description: 'pending: takes effect later; active: in force now' })
  status: string;
  @ApiProperty() rateCount: number;
  @ApiProperty({ enum: ['import', 'manual'] }) source: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class RatePageDto {
  @ApiProperty({ type: [RateDto] }) items: RateDto[];
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
  @ApiProperty() total: number;
  @ApiProperty({ type: RateDeckDto, nullable: true, description: 'the deck listed (null: the plan has no rates at that time)' })
  deck: RateDeckDto | null;
}

export class DeckDiffDto {
  @ApiProperty() added: number;
  @ApiProperty() changed: number;
  @ApiProperty() removed: number;
  @ApiProperty() unchanged: number;
}

export class ImportResultDto {
  @ApiProperty({ description: 'false for a preview' }) applied: boolean;
  @ApiProperty({ description: 'data rows in the deck' }) rows: number;
  @ApiProperty({ type: RateDeckDto, nullable: true, description: 'the deck created (null for a preview)' }) deck: RateDeckDto | null;
  @ApiProperty({ type: Number, nullable: true, description: 'preview: rates only in the new deck' }) added: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'preview: rates in both whose values differ' }) changed: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'preview: rates only in the rates replaced' }) removed: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'preview: rates in both, identical' }) unchanged: number | null;
}
