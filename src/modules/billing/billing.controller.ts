import { Body, Controller, Get, Headers, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
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
import { IDEMPOTENCY_HEADER, sendIdempotent } from '../../shared/idempotency/idempotency.service';
import type { Scope } from '../../shared/scope';
import { BalancesService, TRANSACTION_CSV_HEADER, transactionCsvRow } from './balances.service';
import {
  BalanceDto,
  BalancePostedDto,
  PostBalanceDto,
  TransactionPageDto,
  TransactionQuery,
} from './dto/balance.dto';

@ApiTags('billing')
@ApiBearerAuth()
@Controller('api/v1/customers/:customerId')
export class BillingController {
  constructor(private readonly balances: BalancesService) {}

  @Post('balance')
  @ApiOperation({
    summary: 'Credit the customer: a credit, top-up or payment posted by an administrator of an ancestor',
    description:
      "Adds `amount` (> 0, in the customer's currency) to the balance and records it as one transaction. Only an administrator " +
      'of an ancestor of the customer may (a customer cannot credit itself: 403). With an `Idempotency-Key`, a repeat of the same ' +
      'request answers the first answer (with the header `Idempotent-Replayed: true`) and posts nothing; the same key with another ' +
      'request is a 409 (`conflict`). Keys belong to the caller (the person, or the API key).',
  })
  @ApiHeader({
    name: IDEMPOTENCY_HEADER,
    required: false,
    description: 'a unique key per intended posting (1 to 255 visible ASCII characters, e.g. a UUID)',
  })
  @ApiCreatedResponse({ type: BalancePostedDto })
  @ApiForbiddenResponse({ description: "the caller's own customer, or not an administrator" })
  @ApiNotFoundResponse({ description: "the customer does not exist or is outside the caller's tree" })
  @ApiConflictResponse({ description: 'the key was used for another request, or the customer is deleted' })
  @ApiUnprocessableEntityResponse({ description: '`business_rule`: the balance would leave the storable range' })
  async post(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Body() dto: PostBalanceDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BalancePostedDto> {
    return sendIdempotent(res, await this.balances.post(scope, customerId, dto, idempotencyKey));
  }

  @Get('balance')
  @ApiOperation({ summary: "The customer's balance: how much the parent owes it, in its currency" })
  @ApiOkResponse({ type: BalanceDto })
  balance(@CurrentScope() scope: Scope, @Param('customerId', ParseIntPipe) customerId: number): Promise<BalanceDto> {
    return this.balances.balance(scope, customerId);
  }

  @Get('transactions')
  @ApiOperation({ summary: "The customer's ledger transactions, newest first; `from` inclusive, `to` exclusive; sorted, or as CSV" })
  @ApiListOk(TransactionPageDto, `the columns ${TRANSACTION_CSV_HEADER.join(', ')}`)
  @ApiBadRequestResponse({ description: 'bad dates, an unknown type or `sort` column, or bad paging' })
  async transactions(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Query() query: TransactionQuery,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await answerList(req, res, query.format, () => this.balances.transactions(scope, customerId, query), () => ({
      filename: `transactions-${customerId}.csv`,
      header: TRANSACTION_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.balances.transactions(scope, customerId, { ...query, page, pageSize }), transactionCsvRow),
    }));
  }
}
