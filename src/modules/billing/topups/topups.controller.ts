import { Body, Controller, Get, Headers, HttpCode, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentScope } from '../../../shared/http/decorators';
import { answerList, ApiListOk, csvRowsOfPages } from '../../../shared/http/list-query';
import { IDEMPOTENCY_HEADER, sendIdempotent } from '../../../shared/idempotency/idempotency.service';
import type { Scope } from '../../../shared/scope';
import { RejectTopUpDto, TopUpDecidedDto, TopUpRequestDto, TopUpRequestPageDto, TopUpRequestQuery } from './dto/topup-request.dto';
import { TOPUP_CSV_HEADER, topUpCsvRow, TopUpsService } from './topups.service';

@ApiTags('billing')
@ApiBearerAuth()
@Controller('api/v1/topup-requests')
export class TopUpsController {
  constructor(private readonly topups: TopUpsService) {}

  @Get()
  @ApiOperation({
    summary: "Top-up requests of the caller's descendants (Commerce » Requests), newest first",
    description:
      'Requests raised by the automatic top-up of customers below the acting customer (not its own), paged; `status` filters, ' +
      "`search` matches the customer's name or account number, or the request's id.",
  })
  @ApiListOk(TopUpRequestPageDto, `the columns ${TOPUP_CSV_HEADER.join(', ')}; sort with \`sort\` (default newest first)`)
  @ApiBadRequestResponse({ description: 'an unknown status or sort column, or a bad page or page size' })
  async list(@CurrentScope() scope: Scope, @Query() query: TopUpRequestQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    await answerList(req, res, query.format, () => this.topups.list(scope, query), () => ({
      filename: 'topup-requests.csv',
      header: TOPUP_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.topups.list(scope, { ...query, page, pageSize }), topUpCsvRow),
    }));
  }

  @Get(':id')
  @ApiOperation({ summary: "One top-up request of a customer in the caller's tree (the caller's own ones too)" })
  @ApiOkResponse({ type: TopUpRequestDto })
  @ApiNotFoundResponse({ description: "no such request, or outside the caller's tree" })
  get(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<TopUpRequestDto> {
    return this.topups.get(scope, id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve a pending top-up request: its amount is credited to the customer as a top-up, exactly once',
    description:
      'Administrators of an ancestor of the customer only (the customer itself: 403; another branch: 404). A request that is ' +
      'no longer pending answers 409 `already_decided` (two approvals at once: one credits, the other gets the 409); a card ' +
      'request is decided by the payment provider (409 `conflict`). The customer is emailed the outcome. With an ' +
      '`Idempotency-Key`, a repeat answers the first answer (header `Idempotent-Replayed: true`).',
  })
  @ApiHeader({
    name: IDEMPOTENCY_HEADER,
    required: false,
    description: 'a unique key per intended approval (1 to 255 visible ASCII characters)',
  })
  @ApiOkResponse({ type: TopUpDecidedDto })
  @ApiForbiddenResponse({ description: "the caller's own request, or not an administrator" })
  @ApiNotFoundResponse({ description: "no such request, or outside the caller's tree" })
  @ApiConflictResponse({ description: 'already decided, a card request, a deleted customer, or the key was used for another request' })
  async approve(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TopUpDecidedDto> {
    return sendIdempotent(res, await this.topups.approve(scope, id, idempotencyKey));
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reject a pending top-up request: nothing is credited; the customer is emailed the outcome with the reason',
    description: 'Same rules as approve: administrators of an ancestor only; 409 `already_decided` when no longer pending.',
  })
  @ApiOkResponse({ type: TopUpDecidedDto })
  @ApiForbiddenResponse({ description: "the caller's own request, or not an administrator" })
  @ApiNotFoundResponse({ description: "no such request, or outside the caller's tree" })
  @ApiBadRequestResponse({ description: 'the reason is too long (over 500 characters) or not plain text' })
  @ApiConflictResponse({ description: 'already decided, or a card request' })
  reject(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Body() dto: RejectTopUpDto): Promise<TopUpDecidedDto> {
    return this.topups.reject(scope, id, dto);
  }
}
