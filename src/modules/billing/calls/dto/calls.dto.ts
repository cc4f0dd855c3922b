import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Min, ValidateIf } from 'class-validator';
import { IsIsoInstant } from '../../../../shared/validation';
import { REFUSAL_REASONS, type RefusalReason } from '../../domain/call-control';

const MONEY = { type: 'string', pattern: '^-?\\d{1,16}(\\.\\d{1,6})?$' } as const;
/** A switch's call id: 1 to 128 visible ASCII characters (SIP Call-IDs are such). */
export const CALL_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;
/** A telephone number: digits with an optional leading "+". */
export const NUMBER_PATTERN = /^\+?\d{1,32}$/;
export const DIRECTIONS = ['outbound', 'inbound'] as const;

/** The fields an authorisation and a CDR share: which call, whose, from where to where. */
export class CallPartiesDto {
  @ApiProperty({ example: 'a84b4c76e66710@pc33.example.com', description: "the switch's call id (1 to 128 visible ASCII characters)" })
  @IsString()
  @Matches(CALL_ID_PATTERN, { message: 'must be 1 to 128 visible ASCII characters' })
  callId: string;

  @ApiPropertyOptional({ type: 'integer', description: 'the calling customer; give this or sipAccount', example: 12 })
  @ValidateIf((o: CallPartiesDto) => o.sipAccount === undefined || o.customerId !== undefined)
  @IsInt({ message: 'must be a whole number (or give sipAccount instead)' })
  @Min(1)
  customerId?: number;

  @ApiPropertyOptional({ example: '441632960001', description: "the caller's SIP account username; give this or customerId" })
  @IsOptional()
  @IsString()
  @Matches(/^[\x21-\x7e]{1,64}$/, { message: 'must be 1 to 64 visible ASCII characters' })
  sipAccount?: string;

  @ApiProperty({ example: '441632960001', description: 'calling number: digits, optional leading +' })
  @IsString()
  @Matches(NUMBER_PATTERN, { message: 'must be 1 to 32 digits, optionally with a leading +' })
  caller: string;

  @ApiProperty({ example: '4420794600000', description: 'called number: digits, optional leading +' })
  @IsString()
  @Matches(NUMBER_PATTERN, { message: 'must be 1 to 32 digits, optionally with a leading +' })
  called: string;

  @ApiProperty({ enum: DIRECTIONS })
  @IsIn(DIRECTIONS)
  direction: (typeof DIRECTIONS)[number];
}

/** POST /api/v1/calls/authorize */
export class AuthorizeDto extends CallPartiesDto {}

export class AuthorizationDto {
  @ApiProperty({ example: true }) allowed: boolean;
  @ApiPropertyOptional({ description: 'when allowed: the longest the call may last, in seconds (the switch hangs up then)', example: 300 })
  maxDurationSeconds?: number;
  @ApiPropertyOptional({ enum: REFUSAL_REASONS, description: 'when refused: why (also the `code`)' })
  reason?: RefusalReason;
  @ApiPropertyOptional({ enum: REFUSAL_REASONS, description: 'when refused: the same as reason, as in error bodies' })
  code?: RefusalReason;
  @ApiPropertyOptional({ description: 'when refused: the reason in words' })
  message?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'the calling customer', example: 12 })
  customerId?: number;
}

/** POST /api/v1/calls/cdrs (and each item of /cdrs/batch) */
export class CdrDto extends CallPartiesDto {
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00Z', description: 'when the call was set up' })
  @IsIsoInstant()
  startedAt: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'when it was answered; null for an unanswered call',
    example: '2026-11-25T19:00:05.000Z',
  })
  @ValidateIf((o: CdrDto) => o.answeredAt !== null)
  @IsIsoInstant()
  answeredAt: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:01:01Z' })
  @IsIsoInstant()
  endedAt: string;
}

export class CallChargeDto {
  @ApiProperty({ type: 'integer', example: 12 }) customerId: number;
  @ApiProperty({ description: '0 = the calling customer, 1 = its parent, ...' }) depth: number;
  @ApiProperty({
    enum: ['charge', 'free', 'cost'],
    description: 'charge: debited from the balance; free: rated, not debited (billing type external or none); cost: the carriers’ cost',
  })
  kind: 'charge' | 'free' | 'cost';
  @ApiProperty({ ...MONEY, description: "the price at this level, in the level's currency (positive)" }) amount: string;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 4 }) ratePlanId: number | null;
}

export class CdrResultDto {
  @ApiProperty({ description: "the switch's call id", example: 'a84b4c76e66710@pc33.example.com' }) callId: string;
  @ApiProperty({ type: 'integer', example: 12 }) customerId: number;
  @ApiProperty({ description: 'answered seconds (0 when unanswered)', example: 90 }) durationSeconds: number;
  @ApiProperty({ type: String, nullable: true, description: "the customer's billing reference", example: null }) billingReference:
    string | null;
  @ApiProperty({ type: [CallChargeDto] }) charges: CallChargeDto[];
  @ApiProperty({ description: 'true when this CDR had been posted before: nothing moved this time', example: false }) replayed: boolean;
}

export class CdrBatchResultDto {
  @ApiProperty({
    type: [CdrResultDto],
    description: 'one per item, in the order posted',
    example: [
      {
        callId: 'a84b4c76e66710@pc33.example.com',
        customerId: 12,
        durationSeconds: 90,
        billingReference: null,
        charges: [{ customerId: 12, depth: 0, kind: 'charge', amount: '2.05', currency: 'EUR', ratePlanId: 4 }],
        replayed: false,
      },
    ],
  })
  items: CdrResultDto[];
}
