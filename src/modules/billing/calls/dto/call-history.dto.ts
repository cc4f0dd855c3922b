import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Min, ValidateBy, buildMessage, type ValidationOptions } from 'class-validator';
import { PageQuery } from '../../../../shared/pagination';
import { isIsoInstant } from '../../../../shared/validation';

const MONEY = { type: 'string', pattern: '^-?\\d{1,16}(\\.\\d{1,6})?$' } as const;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "2026-11-25" (midnight UTC) or an ISO 8601 instant with offset; null when it is neither (or not a real date). */
export function parseHistoryInstant(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (DATE_ONLY.test(s)) {
    const d = new Date(`${s}T00:00:00Z`);
    return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s ? null : d;
  }
  if (!isIsoInstant(s)) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

function IsHistoryInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHistoryInstant',
      validator: {
        validate: (v: unknown) => parseHistoryInstant(v) !== null,
        defaultMessage: buildMessage(
          (each) =>
            `${each}$property must be a date (2026-11-25, midnight UTC) or an ISO 8601 date-time with offset (2026-11-25T19:00:00Z)`,
          options,
        ),
      },
    },
    options,
  );
}

/** GET /api/v1/calls/cdrs */
export class CallHistoryQuery extends PageQuery {
  @ApiPropertyOptional({
    description: "whose calls; default: the caller's (acting) customer. Must be in the caller's tree (else 404)",
    example: 12,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  customerId?: number;

  @ApiPropertyOptional({
    example: '2026-11-01',
    description: 'calls that started at or after this (inclusive): a date (midnight UTC) or an ISO 8601 date-time with offset',
  })
  @IsOptional()
  @IsHistoryInstant()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-01', description: 'calls that started before this (exclusive); must be after `from`' })
  @IsOptional()
  @IsHistoryInstant()
  to?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json', description: 'csv: the whole range as CSV (no paging)' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

/** GET /api/v1/calls/active */
export class ActiveCallsQuery extends PageQuery {
  @ApiPropertyOptional({
    description: "whose calls (with those of its whole subtree); default: the caller's (acting) customer. Must be in the caller's tree",
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  customerId?: number;
}

export class CallHistoryChargeDto {
  @ApiProperty({ type: 'integer', example: 12 }) customerId: number;
  @ApiProperty({ description: '0 = the calling customer, 1 = its parent, ...; the cost level comes last' }) depth: number;
  @ApiProperty({
    enum: ['charge', 'free', 'cost'],
    description: 'charge: debited from the balance; free: rated, not debited (billing type external or none); cost: the carriers’ cost',
  })
  kind: 'charge' | 'free' | 'cost';
  @ApiProperty({ ...MONEY, description: "the price at this level, in the level's currency" }) amount: string;
  @ApiProperty({ example: 'EUR' }) currency: string;
}

export class CallHistoryItemDto {
  @ApiProperty({ description: "the switch's call id", example: 'a84b4c76e66710@pc33.example.com' }) callId: string;
  @ApiProperty({ type: 'integer', example: 12 }) customerId: number;
  @ApiProperty({ example: 'Acme Telecom Ltd' }) customerName: string;
  @ApiProperty({ example: '441632960001' }) caller: string;
  @ApiProperty({ example: '442079460000' }) called: string;
  @ApiProperty({ enum: ['outbound', 'inbound'] }) direction: string;
  @ApiProperty({ enum: ['active', 'ended', 'expired'] }) status: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) startedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-25T19:00:05.000Z' }) answeredAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-25T19:01:35.000Z' }) endedAt: string | null;
  @ApiProperty({ description: 'answered seconds (0 when unanswered)', example: 90 }) durationSeconds: number;
  @ApiProperty({ type: String, nullable: true, description: "the customer's billing reference when the call was charged", example: null })
  billingReference: string | null;
  @ApiProperty({
    type: [CallHistoryChargeDto],
    description:
      "the price at each level the caller may see: the customer's own and its ancestors' at or below the caller's customer; the cost " +
      'level only to the system owner. Empty for an unanswered call.',
  })
  charges: CallHistoryChargeDto[];
}

export class CallHistoryPageDto {
  @ApiProperty({ type: [CallHistoryItemDto] }) items: CallHistoryItemDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}

export class ActiveCallLevelDto {
  @ApiProperty({ type: 'integer', example: 12 }) customerId: number;
  @ApiProperty({ example: 'Acme Telecom Ltd' }) customerName: string;
  @ApiProperty({ description: '0 = the calling customer, 1 = its parent, ...' }) depth: number;
  @ApiProperty({ enum: ['charge', 'free'], description: 'charge: holds a reservation on the balance; free: only counted' })
  kind: 'charge' | 'free' | 'cost';
  @ApiProperty({ ...MONEY, description: "reserved of this level's balance until the CDR comes, in the level's currency" }) reserved: string;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ description: "the call counts towards this level's concurrent-call limit" }) counted: boolean;
}

export class ActiveCallDto {
  @ApiProperty({ description: "the switch's call id", example: 'a84b4c76e66710@pc33.example.com' }) callId: string;
  @ApiProperty({ type: 'integer', example: 12 }) customerId: number;
  @ApiProperty({ example: 'Acme Telecom Ltd' }) customerName: string;
  @ApiProperty({ example: '441632960001' }) caller: string;
  @ApiProperty({ example: '442079460000' }) called: string;
  @ApiProperty({ enum: ['outbound', 'inbound'] }) direction: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) authorizedAt: string;
  @ApiProperty({ description: 'the longest the call may last (the switch hangs up then)', example: 300 }) maxDurationSeconds: number;
  @ApiProperty({
    format: 'date-time',
    description: 'when the reservation is released if no CDR came (max duration + grace)',
    example: '2026-11-25T23:05:00.000Z',
  })
  expiresAt: string;
  @ApiProperty({ type: [ActiveCallLevelDto], description: 'the levels the caller may see, with what each has reserved' })
  levels: ActiveCallLevelDto[];
}

export class ActiveCallPageDto {
  @ApiProperty({ type: [ActiveCallDto] }) items: ActiveCallDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}
