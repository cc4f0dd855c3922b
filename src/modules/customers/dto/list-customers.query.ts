import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { FormatParam, SortParam, type ListFormat } from '../../../shared/http/list-query';
import { MONEY_PATTERN } from '../../../shared/money';
import { PageQuery } from '../../../shared/pagination';
import { BILLING_TYPES, CUSTOMER_TYPES, type BillingType, type CustomerType } from '../entities/customer.entity';

/** Query strings carry text: "true"/"false" become booleans, anything else stays text and fails IsBoolean. */
const toBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

/** The columns a customer list sorts by (`sort=balance`, `sort=-balance`); name by default. */
export const CUSTOMER_SORTS = ['name', 'accountNumber', 'type', 'billingType', 'balance'] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

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
    description:
      'case-insensitive text in name, account number, email, description or billing reference; also a login name or SIP ' +
      'username of the customer (whole, ignoring case) and a telephone number of the customer in any usual form ' +
      '(`+44 20 7946 0000`, `0044 20 7946 0000`, or national `020 7946 0000` read with the country of the parent’s address)',
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

  @ApiPropertyOptional({ enum: CUSTOMER_TYPES, description: 'only customers of this type' })
  @IsOptional()
  @IsIn(CUSTOMER_TYPES)
  type?: CustomerType;

  @ApiPropertyOptional({ enum: BILLING_TYPES, description: 'only customers of this billing type' })
  @IsOptional()
  @IsIn(BILLING_TYPES)
  billingType?: BillingType;

  @ApiPropertyOptional({ description: 'true: only customers locked (web or calls, their own setting); false: only unlocked ones' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  locked?: boolean;

  @ApiPropertyOptional({ description: 'true: only resellers; false: only customers that are not resellers' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  reseller?: boolean;

  @ApiPropertyOptional({ description: 'only balances at or above this amount (in each customer’s own currency)', example: '-100.00' })
  @IsOptional()
  @Matches(MONEY_PATTERN, { message: 'must be a decimal string' })
  balanceMin?: string;

  @ApiPropertyOptional({ description: 'only balances at or below this amount (in each customer’s own currency)', example: '0' })
  @IsOptional()
  @Matches(MONEY_PATTERN, { message: 'must be a decimal string' })
  balanceMax?: string;

  @SortParam(CUSTOMER_SORTS, 'name')
  sort?: string;

  @FormatParam()
  format?: ListFormat;
}
