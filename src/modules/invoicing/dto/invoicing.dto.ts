import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { FormatParam, sortValues, type ListFormat } from '../../../shared/http/list-query';
import { PageQuery } from '../../../shared/pagination';
import { IsCalendarDate } from '../../../shared/validation';
import { INVOICE_STATUSES, type InvoiceStatus } from '../domain/invoice-status';

const MONEY = { type: 'string', pattern: '^-?\\d{1,16}(\\.\\d{1,6})?$' } as const;
const DATE = { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

/** POST /api/v1/invoice-runs. */
export class StartInvoiceRunDto {
  @ApiPropertyOptional({
    ...DATE,
    example: '2026-11-01',
    description: "invoice every period that ended on or before this day in its customer's time zone; default today (system time zone); never in the future",
  })
  @IsOptional()
  @IsCalendarDate()
  date?: string;
}

export class InvoiceRunDto {
  @ApiProperty() id: number;
  @ApiProperty({ ...DATE, example: '2026-11-01' }) date: string;
  @ApiProperty({ enum: ['running', 'completed', 'failed'] }) status: 'running' | 'completed' | 'failed';
  @ApiProperty({ enum: ['schedule', 'manual'], description: 'the nightly job, or started by hand' }) trigger: 'schedule' | 'manual';
  @ApiProperty({ description: 'customers the run looks at' }) customersTotal: number;
  @ApiProperty({ description: 'customers done so far (its progress)' }) customersDone: number;
  @ApiProperty({ description: 'invoices this run issued' }) invoicesCreated: number;
  @ApiProperty({ description: 'periods found already invoiced (by another run): skipped, never billed twice' }) invoicesExisting: number;
  @ApiProperty({ description: 'customers whose invoice failed; the run went on with the others' }) failures: number;
  @ApiProperty({ type: String, nullable: true, description: 'the first failure' }) error: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
}

export class InvoiceRunPageDto {
  @ApiProperty({ type: [InvoiceRunDto] }) items: InvoiceRunDto[];
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 50 }) pageSize: number;
  @ApiProperty({ example: 120 }) total: number;
}

/** The columns an invoice list sorts by. */
export const INVOICE_SORTS = ['number', 'customerId', 'issueDate', 'dueDate', 'total', 'status'] as const;
export type InvoiceSort = (typeof INVOICE_SORTS)[number];

export class InvoiceQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'only invoices of this customer' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  customerId?: number;

  @ApiPropertyOptional({ enum: INVOICE_STATUSES })
  @IsOptional()
  @IsIn(INVOICE_STATUSES)
  status?: InvoiceStatus;

  @ApiPropertyOptional({ ...DATE, description: 'only invoices of the period that starts on this day' })
  @IsOptional()
  @IsCalendarDate()
  periodStart?: string;

  @ApiPropertyOptional({ enum: ['invoice', 'credit_note'], description: 'only invoices, or only credit notes' })
  @IsOptional()
  @IsIn(['invoice', 'credit_note'])
  type?: 'invoice' | 'credit_note';

  @ApiPropertyOptional({
    enum: sortValues(INVOICE_SORTS),
    description: 'sort column, `-column` descending, ties by id; default: newest first',
  })
  @IsOptional()
  @IsIn(sortValues(INVOICE_SORTS), { message: `must be one of ${sortValues(INVOICE_SORTS).join(', ')}` })
  sort?: string;

  @FormatParam() format?: ListFormat;
}

export class InvoiceLineDto {
  @ApiProperty({ example: 'call', description: 'the ledger transaction type the line sums' }) category: string;
  @ApiProperty({ example: 'Calls to United Kingdom (12:30 min)' }) description: string;
  @ApiProperty({ ...MONEY, example: '12' }) quantity: string;
  @ApiProperty({ ...MONEY, example: '15.00', description: 'net; negative for credits' }) amount: string;
}

export class InvoiceTaxDto {
  @ApiProperty() taxId: number;
  @ApiProperty({ example: 'VAT' }) name: string;
  @ApiProperty({ type: String, nullable: true, example: '20', description: 'decimal string; null for a flat tax' }) percentage: string | null;
  @ApiProperty({ ...MONEY, example: '40.00' }) taxableAmount: string;
  @ApiProperty({ ...MONEY, example: '8.00' }) amount: string;
}

export class InvoiceDto {
  @ApiProperty() id: number;
  @ApiProperty({ enum: ['invoice', 'credit_note'] }) type: 'invoice' | 'credit_note';
  @ApiProperty({ example: 'INV-000042' }) number: string;
  @ApiProperty({ description: 'the invoiced customer' }) customerId: number;
  @ApiProperty({ description: "the issuer: the customer's parent" }) issuerId: number;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'first day of the period' }) periodStart: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'first day after the period' }) periodEnd: string | null;
  @ApiProperty({ format: 'date-time', description: 'when it was issued' }) issuedAt: string;
  @ApiProperty({ ...DATE, description: "the issue date in the customer's time zone, as the document shows it" }) issueDate: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) dueDate: string | null;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ enum: INVOICE_STATUSES }) status: InvoiceStatus;
  @ApiProperty({ ...MONEY, example: '40.00', description: 'sum of the lines, before tax' }) netTotal: string;
  @ApiProperty({ ...MONEY, example: '8.00' }) taxTotal: string;
  @ApiProperty({ ...MONEY, example: '48.00', description: 'net plus tax' }) total: string;
  @ApiProperty({ ...MONEY, example: '0.00', description: 'paid so far (payments recorded against it, or settled from the balance)' })
  paidAmount: string;
  @ApiProperty({ ...MONEY, example: '0.00', description: 'credited by credit notes that reference it' }) creditedAmount: string;
  @ApiProperty({ type: Number, nullable: true, description: 'credit notes: the invoice it corrects' }) creditedInvoiceId: number | null;
  @ApiProperty({ type: [InvoiceLineDto] }) lines: InvoiceLineDto[];
  @ApiProperty({ type: [InvoiceTaxDto], description: 'one entry per tax charged' }) taxes: InvoiceTaxDto[];
}

export class InvoicePageDto {
  @ApiProperty({ type: [InvoiceDto] }) items: InvoiceDto[];
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 50 }) pageSize: number;
  @ApiProperty({ example: 120 }) total: number;
}

/** PATCH /api/v1/invoices/:id. */
export class ChangeInvoiceStatusDto {
  @ApiProperty({
    enum: INVOICE_STATUSES,
    example: 'paid',
    description: 'the new status; only the moves of the status diagram (docs/INVOICING.md) are allowed. `paid` records a payment of what is still open.',
  })
  @IsIn(INVOICE_STATUSES)
  status: InvoiceStatus;
}

/** POST /api/v1/invoices/:id/payments. */
export class RecordPaymentDto {
  @ApiProperty({ ...MONEY, example: '20.00', description: "positive, at most what is still open, in the invoice's currency" })
  @Matches(/^\d{1,16}(\.\d{1,6})?$/, { message: 'must be a positive decimal string with up to 6 decimals' })
  amount: string;

  @ApiPropertyOptional({ maxLength: 100, example: 'bank transfer 2026-11-20', description: "the payer's reference" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  reference?: string;
}

/** POST /api/v1/invoices/:id/credit-notes. */
export class CreateCreditNoteDto {
  @ApiProperty({ ...MONEY, example: '5.00', description: 'positive, at most what is left of the invoice after earlier credit notes' })
  @Matches(/^\d{1,16}(\.\d{1,6})?$/, { message: 'must be a positive decimal string with up to 6 decimals' })
  amount: string;

  @ApiProperty({ maxLength: 200, example: 'Calls to premium numbers billed in error' })
  @IsString()
  @MaxLength(200)
  reason: string;
}
