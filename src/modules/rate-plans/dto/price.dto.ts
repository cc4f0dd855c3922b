import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { IsIsoInstant } from '../../../shared/validation';
import type { Direction } from '../domain/rate';
import { DIRECTIONS } from './rate.dto';

export class PriceQuery {
  @ApiProperty({ example: '+4930123456', description: 'the number called: digits, optionally with a leading +' })
  @IsString()
  number: string;

  @ApiPropertyOptional({ enum: DIRECTIONS, default: 'outbound' })
  @IsOptional()
  @IsIn(DIRECTIONS)
  direction?: Direction;

  @ApiPropertyOptional({ format: 'date-time', description: 'start of the call (default now): picks the deck, validity and time bands' })
  @IsOptional()
  @IsIsoInstant()
  at?: string;

  @ApiPropertyOptional({ minimum: 0, description: "seconds of an answered call; fills each level's price" })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(31_536_000)
  duration?: number;
}

export class PriceLevelDto {
  @ApiProperty() customerId: number;
  @ApiProperty({ type: Number, nullable: true }) ratePlanId: number | null;
  @ApiProperty({ type: String, nullable: true }) currency: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'matched prefix' }) prefix: string | null;
  @ApiProperty({ type: String, nullable: true }) destination: string | null;
  @ApiProperty({ type: String, nullable: true }) connectFee: string | null;
  @ApiProperty({ type: Number, nullable: true }) includedSeconds: number | null;
  @ApiProperty({ type: String, nullable: true }) perMinute: string | null;
  @ApiProperty({ type: Number, nullable: true }) firstBlock: number | null;
  @ApiProperty({ type: Number, nullable: true }) increment: number | null;
  @ApiProperty({ type: String, nullable: true }) minimumCharge: string | null;
  @ApiProperty({ type: String, nullable: true }) perMessage: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'price of the call (when `duration` was given), at the plan precision' })
  price: string | null;
  @ApiProperty({ description: "decimal places of this level's call prices" }) precision: number;
  @ApiProperty({
    enum: ['own', 'inherited', 'markup'],
    nullable: true,
    description: "own: the plan's rate; inherited: from the plan it inherits; markup: the level above's rate marked up by this plan",
  })
  source: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'the stored rate used (for markup: the one marked up)' }) rateId: number | null;
  @ApiProperty({ description: "true for the last level: the system owner's cost from the cost plan (shown to the system owner only)" })
  cost: boolean;
}

export class PriceLookupDto {
  @ApiProperty({ description: 'the number, digits only' }) number: string;
  @ApiProperty({ enum: DIRECTIONS }) direction: Direction;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: Number, nullable: true }) duration: number | null;
  @ApiProperty({
    type: [PriceLevelDto],
    description: "the customer first, then its ancestors in the caller's tree, then (for the system owner) the cost",
  })
  levels: PriceLevelDto[];
}
