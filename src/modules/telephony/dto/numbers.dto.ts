import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { FormatParam, SortParam, type ListFormat } from '../../../shared/http/list-query';
import { PageQuery } from '../../../shared/pagination';
import { NUMBER_PATTERN } from '../domain/identifiers';
import { NUMBER_SORTS } from './common';

const NUMBER_MESSAGE = 'must be 3 to 20 digits (no "+", spaces or dashes)';

export class AddNumberDto {
  @ApiProperty({ example: '441632960001', description: 'digits only, 3 to 20; unique on the whole platform' })
  @IsString()
  @Matches(NUMBER_PATTERN, { message: NUMBER_MESSAGE })
  number: string;

  @ApiPropertyOptional({
    type: Boolean,
    nullable: true,
    description: "include in the directory; null = the assigned customer's setting",
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  directory?: boolean | null;
}

export class AddNumberRangeDto {
  @ApiProperty({ example: '441632960000', description: 'first number of the range (digits)' })
  @IsString()
  @Matches(NUMBER_PATTERN, { message: NUMBER_MESSAGE })
  from: string;

  @ApiProperty({ example: '441632960999', description: 'last number, inclusive; same number of digits as from; at most 10,000 numbers' })
  @IsString()
  @Matches(NUMBER_PATTERN, { message: NUMBER_MESSAGE })
  to: string;

  @ApiPropertyOptional({ type: Boolean, nullable: true, description: 'directory setting of every number of the range', example: false })
  @IsOptional()
  @IsBoolean()
  directory?: boolean | null;
}

export class NumberRangeResultDto {
  @ApiProperty({ description: 'how many numbers were added', example: 2 }) added: number;
  @ApiProperty() from: string;
  @ApiProperty() to: string;
}

export class InventoryQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: only free numbers; false: only assigned ones' })
  @IsOptional()
  @IsIn(['true', 'false'])
  free?: 'true' | 'false';

  @ApiPropertyOptional({ description: 'part of the number, digits or as written (`+44 20 7946…`, `0044 20…`)' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  search?: string;

  @SortParam(NUMBER_SORTS, 'number') sort?: string;
  @FormatParam() format?: ListFormat;
}

export class AssignNumberDto {
  @ApiPropertyOptional({ type: 'integer', description: 'id of a free number of the inventory (give this or number)', example: 7 })
  @IsOptional()
  @IsInt()
  @Min(1)
  numberId?: number;

  @ApiPropertyOptional({ example: '441632960001', description: 'the free number itself (give this or numberId)' })
  @IsOptional()
  @IsString()
  @Matches(NUMBER_PATTERN, { message: NUMBER_MESSAGE })
  number?: string;
}

export class UpdateCustomerNumberDto {
  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    description: 'telephone line (SIP account) of the same customer that receives the calls; null = none',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  sipAccountId?: number | null;

  @ApiPropertyOptional({
    type: Boolean,
    nullable: true,
    description: "include in the directory; null = the customer's setting",
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  directory?: boolean | null;
}

export class NumberDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ example: '442079460000' }) number: string;
  @ApiProperty({ type: 'integer', description: 'whose inventory the number belongs to', example: 3 }) ownerCustomerId: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null = free', example: 12 }) customerId: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'Acme Telecom Ltd' }) customerName: string | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 9 }) sipAccountId: number | null;
  @ApiProperty({ type: Boolean, nullable: true, description: "the number's own setting; null = the customer's", example: false })
  directory: boolean | null;
  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: "directory ?? the assigned customer's setting; null for a free number without its own setting",
  })
  effectiveDirectory: boolean | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
}

export class NumberPageDto {
  @ApiProperty({ type: [NumberDto] }) items: NumberDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}
