import { Body, Controller, Get, Headers, Param, ParseIntPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AllowUsers, CurrentScope } from '../../../shared/http/decorators';
import { answerList, ApiListOk, csvRowsOfPages } from '../../../shared/http/list-query';
import { type JsonBody, validatePartial } from '../../../shared/http/partial-validation';
import { IDEMPOTENCY_HEADER, sendIdempotent } from '../../../shared/idempotency/idempotency.service';
import type { Scope } from '../../../shared/scope';
import {
  CreateVoucherBatchDto,
  RedeemVoucherDto,
  UpdateVoucherBatchDto,
  VoucherBatchDto,
  VoucherBatchPageDto,
  VoucherBatchQuery,
  VoucherPageDto,
  VoucherQuery,
  VoucherRedeemedDto,
} from './dto/voucher.dto';
import { RedemptionService } from './redemption.service';
import { VOUCHER_BATCH_CSV_HEADER, voucherBatchCsvRow, VoucherBatchesService } from './voucher-batches.service';

const NOT_FOUND = "the batch does not exist or is outside the caller's tree";

@ApiTags('vouchers')
@ApiBearerAuth()
@Controller('api/v1')
export class VouchersController {
  constructor(
    private readonly batches: VoucherBatchesService,
    private readonly redemption: RedemptionService,
  ) {}

  @Post('voucher-batches')
  @ApiOperation({
    summary: "Issue a batch of vouchers: the caller's customer (a reseller or the system owner) makes `count` random serials",
    description:
      'Serials are random digits from a cryptographic source (never starting with 0), unique across all batches. The batch belongs to ' +
      "the caller's (acting) customer; its child customers redeem the vouchers with their account number and a serial.",
  })
  @ApiCreatedResponse({ type: VoucherBatchDto })
  @ApiBadRequestResponse({ description: 'bad input (`validation_failed`), e.g. an expiry in the past' })
  @ApiForbiddenResponse({ description: 'not an administrator, or the customer is not a reseller' })
  @ApiBody({ type: CreateVoucherBatchDto })
  async create(@CurrentScope() scope: Scope, @Body() body: JsonBody): Promise<VoucherBatchDto> {
    // Every problem at once (issue #14): format errors and the value/expiry/name rules together.
    const { dto, problems } = await validatePartial(CreateVoucherBatchDto, body);
    return this.batches.create(scope, dto, problems);
  }

  @Get('voucher-batches')
  @ApiOperation({ summary: "Voucher batches of the caller's customer (or of `ownerId` in its tree), newest first: search, filter, sort, or CSV" })
  @ApiListOk(VoucherBatchPageDto, `the columns ${VOUCHER_BATCH_CSV_HEADER.join(', ')}`)
  @ApiBadRequestResponse({ description: 'a bad filter, an unknown `sort` column or bad paging' })
  @ApiForbiddenResponse({ description: 'not an administrator' })
  @ApiNotFoundResponse({ description: "`ownerId` is outside the caller's tree" })
  async list(@CurrentScope() scope: Scope, @Query() query: VoucherBatchQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    await answerList(req, res, query.format, () => this.batches.list(scope, query), () => ({
      filename: 'voucher-batches.csv',
      header: VOUCHER_BATCH_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.batches.list(scope, { ...query, page, pageSize }), voucherBatchCsvRow),
    }));
  }

  @Get('voucher-batches/:id')
  @ApiOperation({ summary: 'One voucher batch, with how many of its vouchers were redeemed' })
  @ApiOkResponse({ type: VoucherBatchDto })
  @ApiForbiddenResponse({ description: 'not an administrator' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<VoucherBatchDto> {
    return this.batches.get(scope, id);
  }

  @Patch('voucher-batches/:id')
  @ApiOperation({ summary: "Lock or unlock a batch (the issuer's administrators): a locked batch's vouchers cannot be redeemed" })
  @ApiOkResponse({ type: VoucherBatchDto })
  @ApiForbiddenResponse({ description: "not an administrator of the issuer itself (an ancestor's administrator switches to it first)" })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  update(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() dto: UpdateVoucherBatchDto,
  ): Promise<VoucherBatchDto> {
    return this.batches.update(scope, id, dto);
  }

  @Get('voucher-batches/:id/vouchers')
  @ApiOperation({
    summary: "The batch's vouchers with their serials (the issuer's administrators only); `format=csv` exports them all",
    description:
      'JSON: a page of vouchers in the order they were made. CSV (`?format=csv` or `Accept: text/csv`, no paging, streamed): a header line ' +
      '`serial,value,currency,expires,redeemed_at,redeemed_by_customer_id` and one line per voucher. Each export is audited.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: VoucherPageDto })
  @ApiForbiddenResponse({ description: "not an administrator of the issuer itself (an ancestor's administrator switches to it first)" })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  async vouchers(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: VoucherQuery,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await answerList(
      req,
      res,
      query.format,
      async () => {
        const { batch: _batch, ...page } = await this.batches.vouchers(scope, id, query);
        return page;
      },
      () => this.batches.csvExport(scope, id),
    );
  }

  @Post('vouchers/redeem')
  @AllowUsers()
  @ApiOperation({
    summary: 'Redeem a voucher: credit the customer with this account number with the value of the voucher with this serial',
    description:
      "Any logged-in caller whose tree contains the customer may redeem (the customer's own people, or an ancestor's administrators). " +
      "The voucher must be of a batch issued by the customer's parent, and the customer billed prepaid, prepaid_calls or " +
      "prepaid_invoices. The value is converted to the customer's currency at the exchange rates in force now and posted as one " +
      "ledger transaction of type `voucher` (with the original amount and rate when converted; the reference shows the serial's " +
      'last 4 digits only). Each voucher is redeemed once, also under concurrent attempts. An unknown serial and an account number ' +
      'that does not go with it get the same answer (`voucher_invalid`). Refused attempts are counted per account and per client ' +
      'address; too many answer 429 (`throttled`) for an hour. With an `Idempotency-Key`, a repeat answers the first answer.',
  })
  @ApiHeader({ name: IDEMPOTENCY_HEADER, required: false, description: 'a unique key per intended redemption (e.g. a UUID)' })
  @ApiCreatedResponse({ type: VoucherRedeemedDto })
  @ApiBadRequestResponse({ description: 'malformed input (`validation_failed`), e.g. a serial that is not 8 to 32 digits' })
  @ApiUnprocessableEntityResponse({
    description:
      '`voucher_invalid` (no such serial for this account number), `voucher_unavailable` (already redeemed, locked or expired), ' +
      '`voucher_not_allowed` (the billing type cannot redeem), `no_exchange_rate` (no rate in force for a currency)',
  })
  @ApiResponse({ status: 429, description: '`throttled`: too many refused attempts for the account or the address; see `Retry-After`' })
  async redeem(
    @CurrentScope() scope: Scope,
    @Body() dto: RedeemVoucherDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<VoucherRedeemedDto> {
    return sendIdempotent(res, await this.redemption.redeem(scope, dto, req.ip ?? 'unknown', idempotencyKey));
  }
}
