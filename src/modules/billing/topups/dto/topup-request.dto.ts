import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { FormatParam, SortParam, type ListFormat } from '../../../../shared/http/list-query';
import { PageQuery } from '../../../../shared/pagination';
import { IsPlainText } from '../../../../shared/validation';
import { TOPUP_CHANNELS, TOPUP_REASON_MAX, TOPUP_STATUSES, type TopUpChannel, type TopUpStatus } from '../../domain/topup-requests';

const MONEY = { type: 'string', pattern: '^-?\\d{1,16}(\\.\\d{1,6})?$' } as const;

/** The columns a top-up request list sorts by; newest first by default. */
export const TOPUP_SORTS = ['createdAt', 'customerName', 'accountNumber', 'amount', 'status', 'decidedAt'] as const;
export type TopUpSort = (typeof TOPUP_SORTS)[number];

export class TopUpRequestQuery extends PageQuery {
  @ApiPropertyOptional({ enum: TOPUP_STATUSES, description: 'only requests in this status' })
  @IsOptional()
  @IsIn(TOPUP_STATUSES)
  status?: TopUpStatus;

  @ApiPropertyOptional({ maxLength: 100, description: "part of the customer's name or account number, or the request's id" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @SortParam(TOPUP_SORTS, '-createdAt') sort?: string;
  @FormatParam() format?: ListFormat;
}

/** POST /api/v1/topup-requests/:id/reject. */
export class RejectTopUpDto {
  @ApiPropertyOptional({
    maxLength: TOPUP_REASON_MAX,
    example: 'Please pay the open invoice first',
    description: 'emailed to the customer',
  })
  @IsOptional()
  @IsString()
  @MaxLength(TOPUP_REASON_MAX)
  @IsPlainText()
  reason?: string;
}

export class TopUpRequestDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ type: 'integer', description: 'the customer to credit', example: 12 }) customerId: number;
  @ApiProperty({ description: "the customer's name when the request was raised", example: 'Acme Telecom Ltd' }) customerName: string;
  @ApiProperty({ type: String, nullable: true }) accountNumber: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'its parent, whose administrators decide', example: 3 }) parentId:
    number | null;
  @ApiProperty({ ...MONEY, example: '10.00', description: "in the customer's currency" }) amount: string;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ ...MONEY, example: '0.87', description: 'the balance right after the debit that raised it' }) balanceAtRequest: string;
  @ApiProperty({ enum: TOPUP_STATUSES }) status: TopUpStatus;
  @ApiProperty({ enum: TOPUP_CHANNELS, description: 'card: charged to the card by the payment provider; parent: decided by the parent' })
  channel: TopUpChannel;
  @ApiProperty({ description: 'raised by the automatic top-up on low balance' }) automatic: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'card channel: the payment provider' }) provider: string | null;
  @ApiProperty({ type: String, nullable: true, description: "card channel: the provider's reference of the charge" }) providerReference:
    string | null;
  @ApiProperty({ type: String, nullable: true, description: "a rejection's note, or why the card charge failed" }) reason: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'the administrator who decided it' }) decidedByPersonId: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'the top-up transaction that credited it' }) ledgerTransactionId:
    number | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) decidedAt: string | null;
}

export class TopUpRequestPageDto {
  @ApiProperty({ type: [TopUpRequestDto] }) items: TopUpRequestDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}

export class TopUpDecidedDto {
  @ApiProperty({ type: TopUpRequestDto }) request: TopUpRequestDto;
  @ApiProperty({
    ...MONEY,
    nullable: true,
    description: "approved: the customer's balance right after the credit; rejected: null",
    example: '25.00',
  })
  balance: string | null;
}
