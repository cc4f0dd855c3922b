import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, ValidateIf, type ValidationOptions } from 'class-validator';
import { PageQuery } from '../../../shared/pagination';

/** For PATCH fields that may be left out but not set to null. */
export function IsOptionalNotNull(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_obj: object, value: unknown) => value !== undefined, options);
}

export class SearchQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: 'text contained in the number, username, name or mailbox' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;
}
