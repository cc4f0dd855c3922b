import { Body, Controller, Get, Headers, HttpCode, Param, ParseIntPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentScope } from '../../shared/http/decorators';
import { answerList, ApiListOk, csvRowsOfPages } from '../../shared/http/list-query';
import { IDEMPOTENCY_HEADER, REPLAYED_HEADER } from '../../shared/idempotency/idempotency.service';
import type { Scope } from '../../shared/scope';
import { ChangeInvoiceStatusDto, CreateCreditNoteDto, InvoiceDto, InvoicePageDto, InvoiceQuery, RecordPaymentDto } from './dto/invoicing.dto';
import { InvoiceChangesService } from './invoice-changes.service';
import { INVOICE_CSV_HEADER, invoiceCsvRow, InvoicesService } from './invoices.service';

@ApiTags('invoicing')
@ApiBearerAuth()
@Controller('api/v1/invoices')
export class InvoicesController {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly changes: InvoiceChangesService,
  ) {}

  @Get()
  @ApiOperation({
    summary: "Invoices of the customers in the caller's tree (its own included), newest first: filter, sort, or CSV",
    description:
      'Filters: `customerId`, `status`, `periodStart` (the first day of the invoiced period), `type`. `format=csv` or ' +
      '`Accept: text/csv`: the whole list (same filters and sort) without the lines.',
  })
  @ApiListOk(InvoicePageDto, `the columns ${INVOICE_CSV_HEADER.join(', ')}`)
  @ApiBadRequestResponse({ description: 'an unknown status or sort column, a bad date, page or page size' })
  @ApiNotFoundResponse({ description: "customerId is not in the caller's tree" })
  async list(@CurrentScope() scope: Scope, @Query() query: InvoiceQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    await answerList(req, res, query.format, () => this.invoices.list(scope, query), () => ({
      filename: 'invoices.csv',
      header: INVOICE_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.invoices.list(scope, { ...query, page, pageSize }), invoiceCsvRow),
    }));
  }

  @Get(':id')
  @ApiOperation({ summary: "One invoice with its lines (of a customer in the caller's tree)" })
  @ApiOkResponse({ type: InvoiceDto })
  @ApiNotFoundResponse({ description: "no such invoice, or outside the caller's tree" })
  get(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<InvoiceDto> {
    return this.invoices.get(scope, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: "Change an invoice's status (administrators of its issuer)",
    description:
      'Only the moves of the status diagram are allowed (for example due → paid, due → overdue, pending → cancelled; never paid → pending). ' +
      'Marking it `paid` records a payment of what is still open on the customer\'s balance.',
  })
  @ApiOkResponse({ type: InvoiceDto })
  @ApiBadRequestResponse({ description: 'an unknown status' })
  @ApiForbiddenResponse({ description: 'the invoiced customer itself, or not an administrator' })
  @ApiNotFoundResponse({ description: "no such invoice, or outside the caller's tree" })
  @ApiConflictResponse({ description: '`status_change_not_allowed`: the move is not in the diagram' })
  changeStatus(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Body() body: ChangeInvoiceStatusDto): Promise<InvoiceDto> {
    return this.changes.changeStatus(scope, id, body);
  }

  @Post(':id/payments')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record a payment against an invoice (administrators of its issuer)',
    description: "Posts a `payment` to the customer's balance and adds it to the invoice's paid amount; paying all of it marks it paid.",
  })
  @ApiOkResponse({ type: InvoiceDto })
  @ApiBadRequestResponse({ description: 'an amount that is not a positive decimal string' })
  @ApiForbiddenResponse({ description: 'the invoiced customer itself, or not an administrator' })
  @ApiNotFoundResponse({ description: "no such invoice, or outside the caller's tree" })
  @ApiConflictResponse({ description: 'a credit note, an invoice that takes no payments (paid, cancelled, ...), or the key was used for another request' })
  @ApiUnprocessableEntityResponse({ description: '`credit_exceeds_invoice`: more than is open' })
  @ApiHeader({ name: IDEMPOTENCY_HEADER, required: false, description: 'a unique key per intended payment: a repeat records nothing more (1 to 255 visible ASCII characters)' })
  async recordPayment(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: RecordPaymentDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<InvoiceDto> {
    const { invoice, replayed } = await this.changes.recordPaymentOnce(scope, id, body, idempotencyKey);
    if (replayed) res.setHeader(REPLAYED_HEADER, 'true');
    return invoice;
  }

  @Post(':id/credit-notes')
  @ApiOperation({
    summary: 'Correct an invoice with a credit note (administrators of its issuer)',
    description:
      "A credit note for part or all of the invoice, numbered in the issuer's series and referencing the invoice; its amount is credited " +
      "to the customer's balance. Crediting all of an unpaid invoice cancels it. Answers the credit note.",
  })
  @ApiCreatedResponse({ type: InvoiceDto })
  @ApiBadRequestResponse({ description: 'an amount that is not positive or has more decimals than the currency, or no reason' })
  @ApiForbiddenResponse({ description: 'the invoiced customer itself, or not an administrator' })
  @ApiNotFoundResponse({ description: "no such invoice, or outside the caller's tree" })
  @ApiConflictResponse({ description: 'the document is itself a credit note, or the key was used for another request' })
  @ApiUnprocessableEntityResponse({ description: '`credit_exceeds_invoice`: more than is left after earlier credit notes' })
  @ApiHeader({ name: IDEMPOTENCY_HEADER, required: false, description: 'a unique key per intended credit note: a repeat issues nothing more and answers the same note (1 to 255 visible ASCII characters)' })
  async createCreditNote(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: CreateCreditNoteDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<InvoiceDto> {
    const { note, replayed } = await this.changes.createCreditNoteOnce(scope, id, body, idempotencyKey);
    if (replayed) res.setHeader(REPLAYED_HEADER, 'true');
    return note;
  }
}
