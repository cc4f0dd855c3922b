import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO31661Alpha2,
  IsObject,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsCurrencyCode, IsDecimalString, IsIanaTimeZone, IsMoney, IsPlainText } from '../../../shared/validation';
import { MIN_PASSWORD_LENGTH } from '../../identity/identity.api';
import {
  AFFILIATE_BASES,
  type AffiliateBasis,
  BILLING_TYPES,
  type BillingType,
  CONTRACT_MONTHS,
  CUSTOMER_TYPES,
  type CustomerType,
  INVOICE_DETAILS,
  type InvoiceDetail,
  INVOICE_FORMATS,
  type InvoiceFormat,
  PAYMENT_TYPES,
  type PaymentType,
} from '../entities/customer.entity';
import {
  IsHttpsUrlOrEmpty,
  IsIntOrUnlimited,
  IsMoneyOrUnlimited,
  IsNotBlank,
  MatchesOrEmpty,
  Nullable,
  OptionalNotNull,
  UNLIMITED_TEXT,
} from './validators';

export const ACCOUNT_NUMBER_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const PREFIX_PATTERN = /^\d{1,16}$/;
export const NUMBER_PATTERN = /^\d{1,32}$/;
/** Login names: no white space or control characters. */
export const USERNAME_PATTERN = /^\S{1,100}$/u;
export const MAX_CONCURRENT_CALLS = 1_000_000;

const MONEY_SCHEMA = { type: 'string', pattern: '^-?\\d{1,16}(\\.\\d{1,6})?$', example: '10.00' } as const;

export class BillingAddressDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, example: '1 High Street' })
  @Nullable()
  @IsString()
  @MaxLength(100)
  @IsPlainText()
  line1?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, example: null })
  @Nullable()
  @IsString()
  @MaxLength(100)
  @IsPlainText()
  line2?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, example: null })
  @Nullable()
  @IsString()
  @MaxLength(100)
  @IsPlainText()
  line3?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, example: 'London' })
  @Nullable()
  @IsString()
  @MaxLength(100)
  @IsPlainText()
  city?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, example: null })
  @Nullable()
  @IsString()
  @MaxLength(100)
  @IsPlainText()
  state?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 20, example: 'SW1A 1AA' })
  @Nullable()
  @IsString()
  @MaxLength(20)
  @IsPlainText()
  postcode?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'ISO 3166-1 alpha-2 country code', example: 'GB' })
  @Nullable()
  @IsString()
  @IsISO31661Alpha2()
  country?: string | null;
}

export class AffiliateDto {
  @ApiProperty({ type: 'integer', description: 'a live customer with the same parent (not the customer itself)', example: 12 })
  @IsInt()
  @Min(1)
  customerId: number;
  @ApiProperty({ description: 'percent of the revenue or profit, decimal string 0..100', example: '5.00' })
  @IsDecimalString({ min: '0', max: '100' })
  percentage: string;
  @ApiProperty({ enum: AFFILIATE_BASES }) @IsIn(AFFILIATE_BASES) basis: AffiliateBasis;
}

const onCreate = (dto: object): boolean => dto instanceof CreateCustomerDto;

/** The editable fields, shared by create and update. Absent = unchanged (update) or default (create). */
export class CustomerFieldsDto {
  @ApiPropertyOptional({
    description: 'required for normal customers; residential customers are named after their number',
    minLength: 1,
    maxLength: 100,
  })
  @OptionalNotNull()
  @IsString()
  @Length(1, 100)
  @IsNotBlank()
  @IsPlainText()
  name?: string;

  @ApiPropertyOptional({ description: "residential only: the person's name", maxLength: 100 })
  @OptionalNotNull()
  @IsString()
  @Length(1, 100)
  @IsNotBlank()
  @IsPlainText()
  personName?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500 })
  @Nullable()
  @IsString()
  @MaxLength(500)
  @IsPlainText()
  description?: string | null;

  @ApiPropertyOptional({ description: 'required on create; login details are sent here', maxLength: 254, example: 'billing@example.com' })
  @OptionalNotNull(onCreate)
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'unique among the parent\'s customers (compared ignoring case); "" = none',
    pattern: ACCOUNT_NUMBER_PATTERN.source,
  })
  @Nullable()
  @MatchesOrEmpty(ACCOUNT_NUMBER_PATTERN, 'must be 1 to 32 letters, digits, "-" or "_"')
  accountNumber?: string | null;

  @ApiPropertyOptional({ description: 'may own customers, rate plans, numbers, taxes and vouchers' })
  @OptionalNotNull()
  @IsBoolean()
  reseller?: boolean;
  @ApiPropertyOptional({ description: "include the customer's numbers in the directory", example: false })
  @OptionalNotNull()
  @IsBoolean()
  directory?: boolean;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'numeric prefix, unique system-wide; only when customer prefixes are enabled',
    pattern: PREFIX_PATTERN.source,
  })
  @Nullable()
  @MatchesOrEmpty(PREFIX_PATTERN, 'must be 1 to 16 digits')
  prefix?: string | null;

  @ApiPropertyOptional({ description: 'its people cannot log in (applies to the whole subtree)' })
  @OptionalNotNull()
  @IsBoolean()
  lockedWeb?: boolean;
  @ApiPropertyOptional({ description: 'calls are refused (applies to the whole subtree)' })
  @OptionalNotNull()
  @IsBoolean()
  lockedCalls?: boolean;

  @ApiPropertyOptional({
    oneOf: [MONEY_SCHEMA, { type: 'string', enum: [UNLIMITED_TEXT] }],
    nullable: true,
    description: "null = the rate plan's value",
  })
  @Nullable()
  @IsMoneyOrUnlimited({ min: '0' })
  dailySpendLimit?: string | null;

  @ApiPropertyOptional({
    oneOf: [
      { type: 'integer', minimum: 0 },
      { type: 'string', enum: [UNLIMITED_TEXT] },
    ],
    nullable: true,
    description: "null = the rate plan's value",
  })
  @Nullable()
  @IsIntOrUnlimited({ min: 0, max: MAX_CONCURRENT_CALLS })
  maxConcurrentCalls?: number | 'unlimited' | null;

  @ApiPropertyOptional({ description: "purge the customer's voicemails" }) @OptionalNotNull() @IsBoolean() purgeVoicemail?: boolean;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 10000,
    description: 'per mailbox folder; faxes are not counted; null = no limit',
  })
  @Nullable()
  @IsInt()
  @Min(1)
  @Max(10000)
  maxVoicemailsPerFolder?: number | null;

  @ApiPropertyOptional({
    type: Boolean,
    nullable: true,
    description: "may receive caller id from external sources; null = the rate plan's value",
  })
  @Nullable()
  @IsBoolean()
  externalCallerId?: boolean | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'only when regions are enabled' })
  @Nullable()
  @IsInt()
  @Min(1)
  regionId?: number | null;

  @ApiPropertyOptional({ description: "IANA time zone; default: the parent's", example: 'Europe/London' })
  @OptionalNotNull()
  @IsString()
  @IsIanaTimeZone()
  timezone?: string;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: "default dial plan (the parent's or an ancestor's); null = the rate plan's",
  })
  @Nullable()
  @IsInt()
  @Min(1)
  dialPlanId?: number | null;

  @ApiPropertyOptional({ type: 'integer', description: 'required on create: a plan the parent owns or that is shared with it', example: 4 })
  @OptionalNotNull(onCreate)
  @IsInt()
  @Min(1)
  ratePlanId?: number;

  @ApiPropertyOptional({ enum: BILLING_TYPES }) @OptionalNotNull() @IsIn(BILLING_TYPES) billingType?: BillingType;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, description: 'shown on call history reports', example: null })
  @Nullable()
  @IsString()
  @MaxLength(100)
  @IsPlainText()
  billingReference?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100, description: 'shown on invoices' })
  @Nullable()
  @IsString()
  @MaxLength(100)
  @IsPlainText()
  taxReference?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 500,
    description: 'https URL of its logo, shown in the login-details emails it sends its customers; "" or null = none',
    example: 'https://acme.example/logo.png',
  })
  @Nullable()
  @IsString()
  @MaxLength(500)
  @IsHttpsUrlOrEmpty()
  logoUrl?: string | null;

  @ApiPropertyOptional({ enum: PAYMENT_TYPES }) @OptionalNotNull() @IsIn(PAYMENT_TYPES) paymentType?: PaymentType;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 365,
    description: "days after issue an invoice is due; null = the rate plan's",
  })
  @Nullable()
  @IsInt()
  @Min(0)
  @Max(365)
  invoiceDueDays?: number | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true, description: "null = the rate plan's value", example: true })
  @Nullable()
  @IsBoolean()
  sendInvoices?: boolean | null;
  @ApiPropertyOptional({ enum: INVOICE_FORMATS, nullable: true, description: "null = the rate plan's value" })
  @Nullable()
  @IsIn(INVOICE_FORMATS)
  invoiceFormat?: InvoiceFormat | null;
  @ApiPropertyOptional({ enum: INVOICE_DETAILS, nullable: true, description: "null = the rate plan's value" })
  @Nullable()
  @IsIn(INVOICE_DETAILS)
  invoiceDetail?: InvoiceDetail | null;

  @ApiPropertyOptional({
    description: "ISO 4217; default: the rate plan's currency; changeable only while the balance is 0",
    example: 'EUR',
  })
  @OptionalNotNull()
  @IsString()
  @IsCurrencyCode()
  currency?: string;

  @ApiPropertyOptional({ enum: CONTRACT_MONTHS, type: Number, nullable: true, description: "months; null = the rate plan's value" })
  @Nullable()
  @IsIn(CONTRACT_MONTHS)
  minimumContractMonths?: number | null;

  @ApiPropertyOptional({ ...MONEY_SCHEMA, description: 'how far the balance may go below zero; >= 0' })
  @OptionalNotNull()
  @IsMoney({ min: '0' })
  creditLimit?: string;

  @ApiPropertyOptional({
    type: [Number],
    description:
      "taxes the customer is liable for (the parent's own or shared ones); default on create: those whose default liability covers new customers",
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  taxIds?: number[];

  @ApiPropertyOptional({ ...MONEY_SCHEMA, description: 'email when the balance drops below this; "0.00" disables' })
  @OptionalNotNull()
  @IsMoney({ min: '0' })
  lowBalanceThreshold?: string;

  @ApiPropertyOptional({ description: 'top up automatically when the balance drops below the threshold' })
  @OptionalNotNull()
  @IsBoolean()
  autoTopUp?: boolean;

  @ApiPropertyOptional({ type: BillingAddressDto, nullable: true, description: 'replaces the whole address; null clears it' })
  @Nullable()
  @IsObject()
  @ValidateNested()
  @Type(() => BillingAddressDto)
  billingAddress?: BillingAddressDto | null;

  @ApiPropertyOptional({
    type: AffiliateDto,
    nullable: true,
    description: 'who receives an affiliate fee from this customer; null = nobody',
  })
  @Nullable()
  @IsObject()
  @ValidateNested()
  @Type(() => AffiliateDto)
  affiliate?: AffiliateDto | null;
}

export class CreateCustomerDto extends CustomerFieldsDto {
  @ApiProperty({ enum: CUSTOMER_TYPES }) @IsIn(CUSTOMER_TYPES) type: CustomerType;

  @ApiPropertyOptional({
    type: 'integer',
    description: "default: the caller's (acting) customer; must be a reseller or the system owner",
    example: 3,
  })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  parentId?: number;

  @ApiPropertyOptional({
    description: "residential only: a free number of the parent's inventory",
    pattern: NUMBER_PATTERN.source,
    example: '442071234567',
  })
  @OptionalNotNull()
  @IsString()
  @Matches(NUMBER_PATTERN, { message: 'number must be 1 to 32 digits' })
  number?: string;

  @ApiPropertyOptional({
    description: "normal customers: the administrator's login name (default: the email); residential customers log in with their number",
    maxLength: 100,
  })
  @OptionalNotNull()
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 1 to 100 characters without spaces' })
  username?: string;

  @ApiPropertyOptional({
    description: `set the login password now (never emailed); otherwise a set-password link is emailed`,
    minLength: MIN_PASSWORD_LENGTH,
    maxLength: 200,
    writeOnly: true,
  })
  @OptionalNotNull()
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(200)
  password?: string;
}

export class UpdateCustomerDto extends CustomerFieldsDto {
  @ApiPropertyOptional({ type: 'integer', description: 'cannot be changed; accepted only when equal to the current parent', example: 3 })
  @OptionalNotNull()
  @IsInt()
  parentId?: number;
}

// Required on create only (the shared field declarations are optional for PATCH): say so in OpenAPI.
ApiProperty({ required: true, description: 'a plan the parent owns or that is shared with it' })(CreateCustomerDto.prototype, 'ratePlanId');
ApiProperty({ required: true, description: 'login details are sent here', maxLength: 254, example: 'billing@example.com' })(
  CreateCustomerDto.prototype,
  'email',
);
// Defaults a create applies; a PATCH changes only what it names, so its fields have none.
ApiPropertyOptional({ default: 'prepaid' })(CreateCustomerDto.prototype, 'billingType');
ApiPropertyOptional({ default: 'none' })(CreateCustomerDto.prototype, 'paymentType');
ApiPropertyOptional({ default: '0.00' })(CreateCustomerDto.prototype, 'creditLimit');
ApiPropertyOptional({ default: '0.00' })(CreateCustomerDto.prototype, 'lowBalanceThreshold');
