import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { IsIsoInstant } from '../../../shared/validation';
import type { Direction } from '../domain/rate';
import { DIRECTIONS } from './rate.dto';

export class PriceQuery {
  @ApiProperty({
    example: '+44 (20) 7946-0000',
    description:
      'the number called, as people write it: digits, with `+` or `00` before the country code, spaces, dashes, dots, ' +
      'slashes and brackets ("+44 (0)20 …" drops the 0); 1 to 32 digits',
  })
  @IsString()
  number: string;

  @ApiPropertyOptional({ enum: DIRECTIONS, default: 'outbound' })
  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: Direction;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'start of the call (default now): picks the deck, validity and time bands',
    example: '2026-11-25T19:00:00.000Z',
  })
  @IsOptional()
  @IsIsoInstant()
  at?: string;

  @ApiPropertyOptional({ minimum: 0, description: "seconds of an answered call; fills each level's price", example: 90 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(31_536_000)
  duration?: number;
}

export class PriceLevelDto {
  @ApiProperty({ type: 'integer', example: 12 }) customerId: number;
  @ApiProperty({ type: 'integer', nullable: true, example: 4 }) ratePlanId: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'EUR' }) currency: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'matched prefix', example: '4420' }) prefix: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'United Kingdom London' }) destination: string | null;
  @ApiProperty({ type: String, nullable: true, example: '0.05' }) connectFee: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 0 }) includedSeconds: number | null;
  @ApiProperty({ type: String, nullable: true, example: '1.20' }) perMinute: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 60 }) firstBlock: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 60 }) increment: number | null;
  @ApiProperty({ type: String, nullable: true, example: '0.00' }) minimumCharge: string | null;
  @ApiProperty({ type: String, nullable: true, example: '0.00' }) perMessage: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'price of the call (when `duration` was given), at the plan precision',
    example: '2.05',
  })
  price: string | null;
  @ApiProperty({ description: "decimal places of this level's call prices", example: 2 }) precision: number;
  @ApiProperty({
    enum: ['own', 'inherited', 'markup'],
    nullable: true,
    description: "own: the plan's rate; inherited: from the plan it inherits; markup: the level above's rate marked up by this plan",
  })
  source: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'the stored rate used (for markup: the one marked up)', example: 31 }) rateId:
    number | null;
  @ApiProperty({
    description: "true for the last level: the system owner's cost from the cost plan (shown to the system owner only)",
    example: false,
  })
  cost: boolean;
}

export class PriceLookupDto {
  @ApiProperty({ description: 'the number, digits only', example: '442079460000' }) number: string;
  @ApiProperty({ enum: DIRECTIONS }) direction: Direction;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) at: string;
  @ApiProperty({ type: Number, nullable: true, example: 90 }) duration: number | null;
  @ApiProperty({
    type: [PriceLevelDto],
    description: "the customer first, then its ancestors in the caller's tree, then (for the system owner) the cost",
  })
  levels: PriceLevelDto[];
}

export class PlanPriceLevelDto extends OmitType(PriceLevelDto, ['customerId'] as const) {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'null for the first level: a customer on the plan looked up; then the customers above it',
    example: null,
  })
  customerId: number | null;
}

export class PlanPriceLookupDto extends OmitType(PriceLookupDto, ['levels'] as const) {
  @ApiProperty({
    type: [PlanPriceLevelDto],
    description:
      "a customer on the plan first (customerId null), then the plan owner and its ancestors in the caller's tree " +
      '(for a plan shared with the caller from above: the caller and its ancestors), then (for the system owner) the cost',
  })
  levels: PlanPriceLevelDto[];
}
