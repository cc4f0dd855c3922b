import { Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentScope } from '../../shared/http/decorators';
import { answerList, ApiListOk, csvRowsOfPages } from '../../shared/http/list-query';
import type { Scope } from '../../shared/scope';
import { OutboxEmailDto, OutboxPageDto, OutboxQuery } from './dto/outbox.dto';
import { OUTBOX_CSV_HEADER, outboxCsvRow, OutboxService } from './outbox.service';

@ApiTags('outbox')
@ApiBearerAuth()
@Controller('api/v1/outbox')
export class OutboxController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  @ApiOperation({ summary: "Emails concerning the acting customer's subtree, newest first (administrators): search, filter, sort, or CSV" })
  @ApiListOk(OutboxPageDto, `the columns ${OUTBOX_CSV_HEADER.join(', ')}`)
  @ApiBadRequestResponse({ description: 'a bad filter, an unknown `sort` column or bad paging' })
  @ApiForbiddenResponse({ description: '`forbidden`: administrators only' })
  async list(@CurrentScope() scope: Scope, @Query() query: OutboxQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    await answerList(req, res, query.format, () => this.outbox.list(scope, query), () => ({
      filename: 'outbox.csv',
      header: OUTBOX_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.outbox.list(scope, { ...query, page, pageSize }), outboxCsvRow),
    }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One email of the outbox' })
  @ApiOkResponse({ type: OutboxEmailDto })
  @ApiForbiddenResponse({ description: '`forbidden`: administrators only' })
  get(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<OutboxEmailDto> {
    return this.outbox.get(scope, id);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Queue a failed email again (409 unless it failed)' })
  @ApiOkResponse({ type: OutboxEmailDto })
  @ApiConflictResponse({ description: '`conflict`: only a failed email can be queued again' })
  retry(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<OutboxEmailDto> {
    return this.outbox.retry(scope, id);
  }
}
