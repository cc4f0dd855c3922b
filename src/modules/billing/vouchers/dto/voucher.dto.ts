import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { FormatParam, SortParam, type ListFormat } from '../../../../shared/http/list-query';
import { PageQuery } from '../../../../shared/pagination';
import { IsCurrencyCode, IsIsoInstant, IsMoney, IsPlainText } from '../../../../shared/validation';
import { SERIAL_DEFAULT_LENGTH, SERIAL_MAX_LENGTH, SERIAL_MIN_LENGTH } from '../serials';

const MONEY = { type: 'string', pattern: '^-?\\d{1,16}(\\.\\d{1,6})?$' } as const;

/** The most vouchers one batch may hold. */
export const MAX_BATCH_COUNT = 100_000;
export const BATCH_NAME_MAX = 100;

/** POST /api/v1/voucher-batches. */
export class CreateVoucherBatchDto {
  @ApiProperty({ maxLength: BATCH_NAME_MAX, example: 'Christmas cards 2026' })
  @IsString()
  @Length(1, BATCH_NAME_MAX)
  @IsPlainText()
  name: string;

  @ApiProperty({ ...MONEY, example: '10.00', description: "each voucher's value in `currency`: greater than 0, up to 6 decimal places" })
  @IsMoney({ min: '0.000001', message: 'must be a decimal string greater than 0 with up to 6 decimal places' })
  value: string;

  @ApiProperty({ example: 'EUR', description: "ISO 4217; converted to the redeeming customer's currency at the time of redemption" })
  @IsCurrencyCode()
  currency: string;

  @ApiProperty({ minimum: 1, maximum: MAX_BATCH_COUNT, example: 500, description: 'how many vouchers (serials) to make' })
  @IsInt()
  @Min(1)
  @Max(MAX_BATCH_COUNT)
  count: number;

  @ApiPropertyOptional({
    minimum: SERIAL_MIN_LENGTH,
    maximum: SERIAL_MAX_LENGTH,
    default: SERIAL_DEFAULT_LENGTH,
    description: 'digits per serial',
  })
  @IsOptional()
  @IsInt()
  @Min(SERIAL_MIN_LENGTH)
  @Max(SERIAL_MAX_LENGTH)
  serialLength?: number;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2027-01-31T23:59:59Z',
    description: 'from this instant on the vouchers cannot be redeemed (in the future); left out or null: they never expire',
  })
  @IsOptional()
  @IsIsoInstant()
  expiresAt?: string | null;

  @ApiPropertyOptional({ default: false, description: 'a locked batch cannot be redeemed until it is unlocked', example: false })
  @IsOptional()
  @IsBoolean()
  locked?: boolean;
}

/** PATCH /api/v1/voucher-batches/:id. */
export class UpdateVoucherBatchDto {
  @ApiProperty({ description: 'true locks the batch (its vouchers cannot be redeemed), false unlocks it', example: false })
  @IsBoolean()
  locked: boolean;
}

/** The columns a voucher batch list sorts by; newest first by default. */
export const VOUCHER_BATCH_SORTS = ['name', 'value', 'count', 'expiresAt', 'createdAt'] as const;
export type VoucherBatchSort = (typeof VOUCHER_BATCH_SORTS)[number];

export class VoucherBatchQuery extends PageQuery {
  @ApiPropertyOptional({ maxLength: 100, description: 'part of the name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @ApiPropertyOptional({
    type: 'integer',
    description: "whose batches: a customer in the caller's tree (default: the caller's customer)",
    example: 3,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  ownerId?: number;

  @ApiPropertyOptional({ description: 'true: only locked batches; false: only open ones' })
  @IsOptional()
  @IsIn(['true', 'false'])
  locked?: 'true' | 'false';

  @SortParam(VOUCHER_BATCH_SORTS, '-createdAt') sort?: string;
  @FormatParam() format?: ListFormat;
}

export const VOUCHER_STATUSES = ['redeemed', 'unredeemed'] as const;
export type VoucherStatus = (typeof VOUCHER_STATUSES)[number];

export class VoucherQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json', description: 'csv: every voucher of the batch as CSV (no paging)' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';

  @ApiPropertyOptional({ enum: VOUCHER_STATUSES })
  @IsOptional()
  @IsIn(VOUCHER_STATUSES)
  status?: VoucherStatus;
}

export class VoucherBatchDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ type: 'integer', description: 'the customer that issued it', example: 3 }) ownerId: number;
  @ApiProperty() name: string;
  @ApiProperty({ ...MONEY, example: '10.00' }) value: string;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty() count: number;
  @ApiProperty({ description: 'how many of its vouchers were redeemed' }) redeemed: number;
  @ApiProperty() serialLength: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-25T23:05:00.000Z' }) expiresAt: string | null;
  @ApiProperty({ example: false }) locked: boolean;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) updatedAt: string;
}

export class VoucherBatchPageDto {
  @ApiProperty({ type: [VoucherBatchDto] }) items: VoucherBatchDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}

export class VoucherDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ example: '4921035566812093' }) serial: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) redeemedAt: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) redeemedByCustomerId: number | null;
}

export class VoucherPageDto {
  @ApiProperty({ type: [VoucherDto] }) items: VoucherDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}

/** POST /api/v1/vouchers/redeem. */
export class RedeemVoucherDto {
  @ApiProperty({ example: 'ACC-1042', description: "the redeeming customer's account number (unique among its parent's customers)" })
  @IsString()
  @Length(1, 32)
  @IsPlainText()
  accountNumber: string;

  @ApiProperty({
    example: '4921 0355 6681 2093',
    description: `the serial: ${SERIAL_MIN_LENGTH} to ${SERIAL_MAX_LENGTH} digits (spaces and dashes are ignored)`,
  })
  @IsString()
  @MaxLength(100)
  serial: string;
}

export class VoucherRedeemedDto {
  @ApiProperty({ ...MONEY, example: '9.24', description: "what was credited, in the customer's currency" }) amount: string;
  @ApiProperty({ example: 'USD', description: "the customer's currency" }) currency: string;
  @ApiProperty({ ...MONEY, example: '21.74', description: "the customer's balance right after it" }) balance: string;
  @ApiProperty({ type: 'integer', description: 'the customer credited', example: 12 }) customerId: number;
  @ApiProperty({ type: 'integer', description: 'the ledger transaction (type voucher)' }) transactionId: number;
}
