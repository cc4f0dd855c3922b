import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { FormatParam, SortParam, type ListFormat } from '../../../shared/http/list-query';
import { PageQuery } from '../../../shared/pagination';
import { IsIsoInstant, IsMoney, IsPlainText } from '../../../shared/validation';
import { DESCRIPTION_MAX, MANUAL_TYPES, REFERENCE_MAX, TRANSACTION_TYPES, type ManualType, type TransactionType } from '../domain/ledger';

const MONEY = { type: 'string', pattern: '^-?\\d{1,16}(\\.\\d{1,6})?$' } as const;

/** POST /api/v1/customers/:id/balance: money the parent credits to the customer. */
export class PostBalanceDto {
  @ApiProperty({ ...MONEY, example: '25.00', description: "greater than 0, up to 6 decimal places, in the customer's currency" })
  @IsMoney({ min: '0.000001', message: 'must be a decimal string greater than 0 with up to 6 decimal places' })
  amount: string;

  @ApiProperty({
    enum: MANUAL_TYPES,
    description: 'credit (a goodwill credit), topup (prepaid money received) or payment (an invoice paid)',
  })
  @IsIn(MANUAL_TYPES)
  type: ManualType;

  @ApiPropertyOptional({
    maxLength: DESCRIPTION_MAX,
    example: 'Bank transfer of 3 March',
    description: 'shown in the transactions; default (left out or ""): the type\'s name ("Credit", "Top-up", "Payment")',
  })
  @IsOptional()
  @IsString()
  @MaxLength(DESCRIPTION_MAX)
  @IsPlainText()
  description?: string;

  @ApiPropertyOptional({ maxLength: REFERENCE_MAX, example: 'TRX-2026-0042', description: "the payment's reference, if any" })
  @IsOptional()
  @IsString()
  @MaxLength(REFERENCE_MAX)
  @IsPlainText()
  reference?: string;
}

/** The columns a ledger list sorts by; newest first by default (createdAt sorts in posting order). */
export const TRANSACTION_SORTS = ['createdAt', 'amount', 'type'] as const;
export type TransactionSort = (typeof TRANSACTION_SORTS)[number];

export class TransactionQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'date-time', description: 'posted at or after this instant' })
  @IsOptional()
  @IsIsoInstant()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'posted before this instant' })
  @IsOptional()
  @IsIsoInstant()
  to?: string;

  @ApiPropertyOptional({ enum: TRANSACTION_TYPES })
  @IsOptional()
  @IsIn(TRANSACTION_TYPES)
  type?: TransactionType;

  @SortParam(TRANSACTION_SORTS, '-createdAt') sort?: string;
  @FormatParam() format?: ListFormat;
}

export class LedgerTransactionDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ type: 'integer', example: 12 }) customerId: number;
  @ApiProperty({ enum: TRANSACTION_TYPES }) type: TransactionType;
  @ApiProperty({ ...MONEY, example: '25.00', description: 'signed: positive raised the balance, negative lowered it' }) amount: string;
  @ApiProperty({ example: 'EUR', description: "the customer's currency" }) currency: string;
  @ApiProperty({ ...MONEY, nullable: true, description: 'before conversion, when converted from another currency' })
  originalAmount: string | null;
  @ApiProperty({ type: String, nullable: true }) originalCurrency: string | null;
  @ApiProperty({ type: String, nullable: true, example: '1.0825', description: 'the exchange rate used (exact)' }) exchangeRate:
    string | null;
  @ApiProperty() description: string;
  @ApiProperty({ type: String, nullable: true }) reference: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'the person who posted it (null: the platform)' }) actorPersonId:
    number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'the call it charges', example: 1042 }) callId: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'the invoice it is on' }) invoiceId: number | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
}

export class TransactionPageDto {
  @ApiProperty({ type: [LedgerTransactionDto] }) items: LedgerTransactionDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}

export class BalancePostedDto {
  @ApiProperty({ type: LedgerTransactionDto }) transaction: LedgerTransactionDto;
  @ApiProperty({ ...MONEY, example: '37.50', description: 'the balance right after it' }) balance: string;
}

export class BalanceDto {
  @ApiProperty({ type: 'integer', example: 12 }) customerId: number;
  @ApiProperty({ ...MONEY, example: '37.50', description: 'how much the parent owes the customer' }) balance: string;
  @ApiProperty({ example: 'EUR' }) currency: string;
}
