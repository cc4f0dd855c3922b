import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { PageQuery } from '../../../shared/pagination';

/** Query strings carry text: "true"/"false" become booleans, anything else stays text and fails IsBoolean. */
const toBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

export class ListCustomersQuery extends PageQuery {
  @ApiPropertyOptional({ type: 'integer', description: "whose children to list; default: the caller's (acting) customer", example: 3 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  parentId?: number;

  @ApiPropertyOptional({ description: 'all descendants instead of the direct children', default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  recursive?: boolean;

  @ApiPropertyOptional({
    description: 'case-insensitive text in name, account number, email, description or billing reference',
    maxLength: 100,
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @ApiPropertyOptional({ description: 'include soft-deleted customers', default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  includeDeleted?: boolean;
}
