import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { FormatParam, sortValues, type ListFormat } from '../../../shared/http/list-query';
import { PageQuery } from '../../../shared/pagination';
import { IsCurrencyCode, IsMoney, IsPlainText } from '../../../shared/validation';
import { CONTRACT_MONTHS, INVOICE_DETAILS, INVOICE_FORMATS } from '../domain/plan-level-settings';
import { BILLING_PERIODS, SHARING_MODES, type BillingPeriod, type Sharing } from '../entities/rate-plan.entity';
import { IsIntOrUnlimited, IsMarkupPercent, IsMoneyOrUnlimited, NullableOptional, Present } from './validators';

const MONEY_EXAMPLE = '10.00';
const nullableMoney = (description: string) => ({
  type: String,
  nullable: true,
  example: MONEY_EXAMPLE,
  description: `${description}; null = inherit`,
});
const nullablePercent = (description: string) => ({
  type: String,
  nullable: true,
  example: '20',
  description: `${description} markup in percent (-100 < p <= 10000); null = inherit`,
});

export class PlanFeesDto {
  @ApiPropertyOptional(nullableMoney('one-off fee when a customer signs up'))
  @NullableOptional()
  @IsMoney({ min: '0' })
  signup?: string | null;

  @ApiPropertyOptional(nullableMoney('recurring fee per billing period'))
  @NullableOptional()
  @IsMoney({ min: '0' })
  account?: string | null;

  @ApiPropertyOptional(nullableMoney('recurring fee per telephone line'))
  @NullableOptional()
  @IsMoney({ min: '0' })
  perLine?: string | null;

  @ApiPropertyOptional(nullableMoney('recurring fee per number'))
  @NullableOptional()
  @IsMoney({ min: '0' })
  perNumber?: string | null;
}

export class PlanMarkupsDto {
  @ApiPropertyOptional(nullablePercent('outbound connect fee'))
  @NullableOptional()
  @IsMarkupPercent()
  outboundConnect?: string | null;

  @ApiPropertyOptional(nullablePercent('outbound per-minute price (and minimum charge)'))
  @NullableOptional()
  @IsMarkupPercent()
  outboundPerMinute?: string | null;

  @ApiPropertyOptional(nullablePercent('message price (both directions)'))
  @NullableOptional()
  @IsMarkupPercent()
  outboundMessage?: string | null;

  @ApiPropertyOptional(nullablePercent('inbound connect fee'))
  @NullableOptional()
  @IsMarkupPercent()
  inboundConnect?: string | null;

  @ApiPropertyOptional(nullablePercent('inbound per-minute price (and minimum charge)'))
  @NullableOptional()
  @IsMarkupPercent()
  inboundPerMinute?: string | null;
}

/** Fields a plan may set; each nullable one means "inherit" (from `inheritsFromId`, else the platform default). */
export class RatePlanFieldsDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500 })
  @NullableOptional()
  @IsString()
  @MaxLength(500)
  @IsPlainText()
  description?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'plan whose settings and rates this plan inherits (own or shared with the owner)',
  })
  @NullableOptional()
  @IsInt()
  @Min(1)
  inheritsFromId?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, maximum: 6, description: 'decimal places of call prices', example: 2 })
  @NullableOptional()
  @IsInt()
  @Min(0)
  @Max(6)
  precision?: number | null;

  @ApiPropertyOptional({ type: PlanFeesDto })
  @Present()
  @ValidateNested()
  @Type(() => PlanFeesDto)
  fees?: PlanFeesDto;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, description: 'call seconds included per billing period', example: 0 })
  @NullableOptional()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  includedSeconds?: number | null;

  @ApiPropertyOptional({ enum: BILLING_PERIODS, nullable: true, description: 'indefinite = recurring fees never charged' })
  @NullableOptional()
  @IsIn(BILLING_PERIODS)
  billingPeriod?: BillingPeriod | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, description: 'days after issue an invoice becomes due', example: 14 })
  @NullableOptional()
  @IsInt()
  @Min(0)
  @Max(3650)
  dueDays?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    description: 'days after the due date an unpaid invoice becomes overdue',
  })
  @NullableOptional()
  @IsInt()
  @Min(0)
  @Max(3650)
  overdueDays?: number | null;

  @ApiPropertyOptional({
    type: Boolean,
    nullable: true,
    description: 'new customers pay recurring fees from the next period',
    example: false,
  })
  @NullableOptional()
  @IsBoolean()
  deferBilling?: boolean | null;

  @ApiPropertyOptional({ enum: CONTRACT_MONTHS, nullable: true, type: Number })
  @NullableOptional()
  @IsIn(CONTRACT_MONTHS)
  minimumContractMonths?: number | null;

  @ApiPropertyOptional({ type: PlanMarkupsDto, description: 'used where the plan has no rate for a destination' })
  @Present()
  @ValidateNested()
  @Type(() => PlanMarkupsDto)
  markups?: PlanMarkupsDto;

  @ApiPropertyOptional({ type: String, nullable: true, example: '50.00', description: 'money, "unlimited", or null = inherit' })
  @NullableOptional()
  @IsMoneyOrUnlimited()
  dailySpendLimit?: string | null;

  @ApiPropertyOptional({
    oneOf: [
      { type: 'integer', minimum: 0 },
      { type: 'string', enum: ['unlimited'] },
    ],
    nullable: true,
  })
  @NullableOptional()
  @IsIntOrUnlimited()
  maxConcurrentCalls?: number | 'unlimited' | null;

  @ApiPropertyOptional({
    type: Boolean,
    nullable: true,
    description: 'customers may receive caller id from external sources',
    example: null,
  })
  @NullableOptional()
  @IsBoolean()
  externalCallerId?: boolean | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 2 })
  @NullableOptional()
  @IsInt()
  @Min(1)
  dialPlanId?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, example: 14 })
  @NullableOptional()
  @IsInt()
  @Min(0)
  @Max(3650)
  invoiceDueDays?: number | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true, example: true })
  @NullableOptional()
  @IsBoolean()
  sendInvoices?: boolean | null;

  @ApiPropertyOptional({ enum: INVOICE_FORMATS, nullable: true })
  @NullableOptional()
  @IsIn(INVOICE_FORMATS)
  invoiceFormat?: string | null;

  @ApiPropertyOptional({ enum: INVOICE_DETAILS, nullable: true })
  @NullableOptional()
  @IsIn(INVOICE_DETAILS)
  invoiceDetail?: string | null;
}

export class CreateRatePlanDto extends RatePlanFieldsDto {
  @ApiProperty({ maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @IsPlainText()
  name: string;

  @ApiPropertyOptional({ example: 'EUR', description: "ISO 4217; prices of the plan are in this currency. Default: the owner's currency" })
  @IsOptional()
  @IsCurrencyCode()
  currency?: string;

  @ApiPropertyOptional({
    enum: SHARING_MODES,
    default: 'private',
    description: 'private; shared with child resellers; shared with every reseller below',
  })
  @IsOptional()
  @IsIn(SHARING_MODES)
  sharing?: Sharing;

  @ApiPropertyOptional({
    type: 'integer',
    description: "owner of the plan (a reseller in the caller's tree); default: the acting customer",
    example: 3,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  ownerId?: number;
}

export class UpdateRatePlanDto extends RatePlanFieldsDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @Present()
  @IsString()
  @Length(1, 100)
  @IsPlainText()
  name?: string;

  @ApiPropertyOptional({ example: 'EUR', description: 'ISO 4217; prices of the plan are in this currency' })
  @Present()
  @IsCurrencyCode()
  currency?: string;

  @ApiPropertyOptional({ enum: SHARING_MODES, description: 'private; shared with child resellers; shared with every reseller below' })
  @Present()
  @IsIn(SHARING_MODES)
  sharing?: Sharing;
}

/** The columns a rate plan list sorts by. */
export const RATE_PLAN_SORTS = ['name', 'currency', 'sharing', 'createdAt'] as const;
export type RatePlanSort = (typeof RATE_PLAN_SORTS)[number];

export class ListRatePlansQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'part of the name or description' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @ApiPropertyOptional({
    description: "list the plans of this customer of the caller's tree (own and shared with it) instead of the acting customer's",
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  ownerId?: number;

  @ApiPropertyOptional({ enum: SHARING_MODES, description: 'only plans shared this way' })
  @IsOptional()
  @IsIn(SHARING_MODES)
  sharing?: Sharing;

  @ApiPropertyOptional({ description: 'only plans in this currency', example: 'EUR' })
  @IsOptional()
  @IsCurrencyCode()
  currency?: string;

  @ApiPropertyOptional({
    enum: sortValues(RATE_PLAN_SORTS),
    description: 'sort column, `-column` descending, ties by id; default: own plans first, then by name',
  })
  @IsOptional()
  @IsIn(sortValues(RATE_PLAN_SORTS), { message: `must be one of ${sortValues(RATE_PLAN_SORTS).join(', ')}` })
  sort?: string;

  @FormatParam() format?: ListFormat;
}


// ---- read model ----------------------------------------------------------------------------------

export class PlanFeesReadDto {
  @ApiProperty({ type: String, nullable: true, example: '10.00' }) signup: string | null;
  @ApiProperty({ type: String, nullable: true, example: '5.00' }) account: string | null;
  @ApiProperty({ type: String, nullable: true, example: '1.00' }) perLine: string | null;
  @ApiProperty({ type: String, nullable: true, example: '1.00' }) perNumber: string | null;
}

export class PlanMarkupsReadDto {
  @ApiProperty({ type: String, nullable: true, example: '0' }) outboundConnect: string | null;
  @ApiProperty({ type: String, nullable: true, example: '50' }) outboundPerMinute: string | null;
  @ApiProperty({ type: String, nullable: true, example: '0' }) outboundMessage: string | null;
  @ApiProperty({ type: String, nullable: true, example: '0' }) inboundConnect: string | null;
  @ApiProperty({ type: String, nullable: true, example: '0' }) inboundPerMinute: string | null;
}

export class EffectiveFeesDto {
  @ApiProperty({ example: '10.00' }) signup: string;
  @ApiProperty({ example: '5.00' }) account: string;
  @ApiProperty({ example: '1.00' }) perLine: string;
  @ApiProperty({ example: '1.00' }) perNumber: string;
}

export class EffectiveMarkupsDto {
  @ApiProperty({ example: '0' }) outboundConnect: string;
  @ApiProperty({ example: '50' }) outboundPerMinute: string;
  @ApiProperty({ example: '0' }) outboundMessage: string;
  @ApiProperty({ example: '0' }) inboundConnect: string;
  @ApiProperty({ example: '0' }) inboundPerMinute: string;
}

/** Every setting in force, resolved through the inheritance chain and the platform defaults. */
export class EffectivePlanDto {
  @ApiProperty({ example: 2 }) precision: number;
  @ApiProperty({ type: EffectiveFeesDto }) fees: EffectiveFeesDto;
  @ApiProperty({ example: 0 }) includedSeconds: number;
  @ApiProperty({ enum: BILLING_PERIODS }) billingPeriod: BillingPeriod;
  @ApiProperty({ example: 14 }) dueDays: number;
  @ApiProperty({ example: 7 }) overdueDays: number;
  @ApiProperty({ example: false }) deferBilling: boolean;
  @ApiProperty({ example: 0 }) minimumContractMonths: number;
  @ApiProperty({ type: EffectiveMarkupsDto }) markups: EffectiveMarkupsDto;
  @ApiProperty({ type: String, example: 'unlimited' }) dailySpendLimit: string;
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', enum: ['unlimited'] }] }) maxConcurrentCalls: number | 'unlimited';
  @ApiProperty({ example: false }) externalCallerId: boolean;
  @ApiProperty({ type: 'integer', nullable: true, example: 2 }) dialPlanId: number | null;
  @ApiProperty({ example: 14 }) invoiceDueDays: number;
  @ApiProperty({ example: true }) sendInvoices: boolean;
  @ApiProperty({ enum: INVOICE_FORMATS }) invoiceFormat: string;
  @ApiProperty({ enum: INVOICE_DETAILS }) invoiceDetail: string;
}

export class RatePlanDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ type: 'integer', description: 'customer that owns (and may edit) the plan', example: 3 }) ownerId: number;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ enum: SHARING_MODES }) sharing: Sharing;
  @ApiProperty({ type: 'integer', nullable: true, example: 2 }) inheritsFromId: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 2 }) precision: number | null;
  @ApiProperty({ type: PlanFeesReadDto }) fees: PlanFeesReadDto;
  @ApiProperty({ type: Number, nullable: true, example: 0 }) includedSeconds: number | null;
  @ApiProperty({ enum: BILLING_PERIODS, nullable: true }) billingPeriod: BillingPeriod | null;
  @ApiProperty({ type: Number, nullable: true, example: 14 }) dueDays: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 7 }) overdueDays: number | null;
  @ApiProperty({ type: Boolean, nullable: true, example: false }) deferBilling: boolean | null;
  @ApiProperty({ type: Number, nullable: true, example: 0 }) minimumContractMonths: number | null;
  @ApiProperty({ type: PlanMarkupsReadDto }) markups: PlanMarkupsReadDto;
  @ApiProperty({ type: String, nullable: true, example: '50.00' }) dailySpendLimit: string | null;
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', enum: ['unlimited'] }], nullable: true }) maxConcurrentCalls:
    number | 'unlimited' | null;
  @ApiProperty({ type: Boolean, nullable: true, example: null }) externalCallerId: boolean | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 2 }) dialPlanId: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 14 }) invoiceDueDays: number | null;
  @ApiProperty({ type: Boolean, nullable: true, example: true }) sendInvoices: boolean | null;
  @ApiProperty({ enum: INVOICE_FORMATS, nullable: true }) invoiceFormat: string | null;
  @ApiProperty({ enum: INVOICE_DETAILS, nullable: true }) invoiceDetail: string | null;
  @ApiProperty({ type: EffectivePlanDto }) effective: EffectivePlanDto;
  @ApiProperty({ description: 'the caller may change or delete it (false for a plan shared with the caller)', example: true })
  editable: boolean;
  @ApiProperty({ description: "the system owner's cost plan (carriers' costs)", example: false }) costPlan: boolean;
  @ApiProperty({ description: 'rates in the deck in force now', example: 2 }) rateCount: number;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) updatedAt: string;
}

export class RatePlanPageDto {
  @ApiProperty({ type: [RatePlanDto] }) items: RatePlanDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}
