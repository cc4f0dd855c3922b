import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentScope } from '../../../shared/http/decorators';
import { answerList } from '../../../shared/http/list-query';
import type { Scope } from '../../../shared/scope';
import { CallControlService, MAX_BATCH_ITEMS } from './call-control.service';
import { CallHistoryService, CSV_MAX_ROWS } from './call-history.service';
import { ActiveCallPageDto, ActiveCallsQuery, CallHistoryPageDto, CallHistoryQuery } from './dto/call-history.dto';
import { AuthorizationDto, AuthorizeDto, CdrBatchResultDto, CdrDto, CdrResultDto } from './dto/calls.dto';

@ApiTags('calls')
@ApiBearerAuth()
@Controller('api/v1/calls')
export class CallsController {
  constructor(
    private readonly calls: CallControlService,
    private readonly callHistory: CallHistoryService,
  ) {}

  @Post('authorize')
  @HttpCode(200)
  @ApiOperation({
    summary: 'May this call go ahead? Asked by a switch before each call',
    description:
      'Answers `{ allowed: true, maxDurationSeconds }` and holds a reservation of that call’s price on the balance of the customer and ' +
      'of every charged ancestor until the CDR arrives (or the maximum duration plus the grace period passes), or `{ allowed: false, ' +
      'reason, code, message }` where reason is one of locked, billing_type, no_rate, concurrent_limit, daily_limit, no_credit. ' +
      'Repeating an authorisation of a call in progress with the same data answers the same; with other data, or after the call ' +
      'ended, it is a 409. The customer is named by `customerId` or by `sipAccount` and must be in the caller’s tree.',
  })
  @ApiOkResponse({ type: AuthorizationDto })
  @ApiBadRequestResponse({
    description: 'malformed input (numbers with non-digits, a bad call id, both or neither of customerId and sipAccount)',
  })
  @ApiForbiddenResponse({ description: 'not an administrator or API key' })
  @ApiNotFoundResponse({ description: 'unknown customer or SIP account, or outside the caller’s tree' })
  @ApiConflictResponse({ description: 'the call id is in use with other data, or the call has ended' })
  authorize(@CurrentScope() scope: Scope, @Body() dto: AuthorizeDto): Promise<AuthorizationDto> {
    return this.calls.authorize(scope, dto);
  }

  @Post('cdrs')
  @ApiOperation({
    summary: 'Report a finished call: rated and charged at every level, exactly once',
    description:
      'Charges the customer and each charged ancestor at its own price in one transaction and releases the authorisation’s ' +
      'reservation. The same CDR again answers the first result with `replayed: true` (200) and moves nothing; the same call id ' +
      'with other data is a 409. `answeredAt: null` is an unanswered call (no charge).',
  })
  @ApiCreatedResponse({ type: CdrResultDto, description: 'charged now' })
  @ApiOkResponse({ type: CdrResultDto, description: 'a replay: charged before, nothing moved' })
  @ApiBadRequestResponse({ description: 'malformed input: end before start, absurd durations, non-digit numbers...' })
  @ApiNotFoundResponse({ description: 'unknown customer or SIP account, or outside the caller’s tree' })
  @ApiConflictResponse({ description: 'the call id was reported with other data' })
  @ApiUnprocessableEntityResponse({ description: 'no_rate: the destination has no rate at some level' })
  async cdr(@CurrentScope() scope: Scope, @Body() dto: CdrDto, @Res({ passthrough: true }) res: Response): Promise<CdrResultDto> {
    const result = await this.calls.postCdr(scope, dto);
    res.status(result.replayed ? 200 : 201);
    return result;
  }

  @Post('cdrs/batch')
  @ApiOperation({
    summary: `Report up to ${MAX_BATCH_ITEMS} finished calls at once: all applied or none`,
    description:
      'The body is a JSON array of CDRs. Every item is checked first; any bad item refuses the whole batch with `details` naming ' +
      'each bad item by its index (`[3].called`), and nothing is applied. Otherwise all are charged in one transaction; items ' +
      'posted before answer their first result with `replayed: true`.',
  })
  @ApiBody({ type: [CdrDto] })
  @ApiOkResponse({ type: CdrBatchResultDto })
  @ApiBadRequestResponse({ description: 'not an array, too many items, or malformed items (each named by index)' })
  @ApiNotFoundResponse({ description: 'items whose customer is unknown or outside the caller’s tree (each named by index)' })
  @ApiConflictResponse({ description: 'items whose call id was reported with other data' })
  @ApiUnprocessableEntityResponse({ description: 'no_rate for some items (each named by index)' })
  @HttpCode(200)
  async batch(@CurrentScope() scope: Scope, @Body() body: unknown): Promise<CdrBatchResultDto> {
    return { items: await this.calls.postCdrBatch(scope, body) };
  }

  @Get('cdrs')
  @ApiOperation({
    summary: 'Call history of a customer: its calls by start time with the charge at each level the caller may see',
    description:
      'Calls of `customerId` (default: the caller’s acting customer; it must be in the caller’s tree) that started at or after `from` ' +
      'and before `to` (each a date, read as midnight UTC, or an ISO 8601 date-time with offset; either may be left out), newest ' +
      'first, paged `{ items, page, pageSize, total }`. `charges` lists the price at each level the caller may see: the customer’s ' +
      'own and its ancestors’ at or below the caller’s customer (a reseller does not see what its own parent paid); the carriers’ ' +
      'cost (`kind: cost`) only shows to the system owner. Calls without a CDR (active, expired) have no start time and are not ' +
      'listed (see `/calls/active`).\n\n' +
      '`format=csv` (or `Accept: text/csv`) answers the whole range (no paging), oldest first, streamed, as `text/csv` with the header ' +
      '`call_id,started_at,answered_at,ended_at,duration,caller,called,direction,billing_reference,charge,currency`, then ' +
      '`level<k>_customer_id,level<k>_charge,level<k>_currency` for each visible ancestor (k = 1 for the parent, up to the caller’s ' +
      'own customer), then `cost,cost_currency` for the system owner. `charge` is the customer’s own price (0.00 for an unanswered ' +
      `call; a \`free\` level of billing type external or none shows its rated price). A range of more than ${CSV_MAX_ROWS} calls is a 400.`,
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: CallHistoryPageDto, description: 'JSON page, or with `format=csv` the CSV document' })
  @ApiBadRequestResponse({
    description: `bad dates, \`to\` not after \`from\`, bad paging, or a CSV range of more than ${CSV_MAX_ROWS} calls`,
  })
  @ApiNotFoundResponse({ description: 'the customer does not exist or is outside the caller’s tree' })
  async history(@CurrentScope() scope: Scope, @Query() query: CallHistoryQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    await answerList(
      req,
      res,
      query.format,
      async () => {
        const { request: _request, ...page } = await this.callHistory.history(scope, query);
        return page;
      },
      () => this.callHistory.csvExport(scope, query),
    );
  }

  @Get('active')
  @ApiOperation({
    summary: 'Calls in progress of a customer and of its whole subtree, with what each level has reserved',
    description:
      'Authorised calls without a CDR yet, newest first, paged. `customerId` defaults to the caller’s acting customer and must be in ' +
      'the caller’s tree. Each call shows `authorizedAt`, `maxDurationSeconds`, `expiresAt` (when the reservation is released if no ' +
      'CDR comes: the maximum duration plus CALL_GRACE_SECONDS) and, per level the caller may see, the amount reserved on its balance.',
  })
  @ApiOkResponse({ type: ActiveCallPageDto })
  @ApiBadRequestResponse({ description: 'bad paging or customerId' })
  @ApiNotFoundResponse({ description: 'the customer does not exist or is outside the caller’s tree' })
  active(@CurrentScope() scope: Scope, @Query() query: ActiveCallsQuery): Promise<ActiveCallPageDto> {
    return this.callHistory.active(scope, query);
  }
}
