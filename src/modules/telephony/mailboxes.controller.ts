import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { answerList, ApiListOk, csvRowsOfPages } from '../../shared/http/list-query';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { MailboxesQueryDto } from './dto/common';
import { CurrentScope } from '../../shared/http/decorators';
import { type JsonBody, validatePartial } from '../../shared/http/partial-validation';
import type { Scope } from '../../shared/scope';
import { CreateMailboxDto, MailboxDto, MailboxPageDto, MailboxWithPinDto, UpdateMailboxDto } from './dto/mailboxes.dto';
import { MAILBOX_CSV_HEADER, mailboxCsvRow, MailboxesService } from './mailboxes.service';

@ApiTags('mailboxes')
@ApiBearerAuth()
@Controller('api/v1/customers/:customerId/mailboxes')
export class MailboxesController {
  constructor(private readonly mailboxes: MailboxesService) {}

  @Get()
  @ApiOperation({ summary: "The customer's mailboxes; PINs are never shown, sorted by a column or exported as CSV" })
  @ApiListOk(MailboxPageDto, `the columns ${MAILBOX_CSV_HEADER.join(', ')}`)
  @ApiBadRequestResponse({ description: 'an unknown `sort` column or bad paging' })
  async list(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Query() q: MailboxesQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await answerList(req, res, q.format, () => this.mailboxes.list(scope, customerId, q), () => ({
      filename: `mailboxes-${customerId}.csv`,
      header: MAILBOX_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.mailboxes.list(scope, customerId, { ...q, page, pageSize }), mailboxCsvRow),
    }));
  }

  @Post()
  @ApiOperation({ summary: 'Create a mailbox; the answer shows the PIN (only this once)' })
  @ApiCreatedResponse({ type: MailboxWithPinDto })
  @ApiConflictResponse({ description: '`already_exists`: the mailbox number is taken' })
  @ApiBody({ type: CreateMailboxDto })
  async create(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Body() body: JsonBody,
  ): Promise<MailboxWithPinDto> {
    // Every problem at once (issue #14): format errors and the uniqueness check together.
    const { dto, problems } = await validatePartial(CreateMailboxDto, body);
    return this.mailboxes.create(scope, customerId, dto, problems);
  }

  @Get(':mailboxId')
  @ApiOperation({ summary: 'One mailbox of the customer' })
  @ApiOkResponse({ type: MailboxDto })
  get(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('mailboxId', ParseIntPipe) mailboxId: number,
  ): Promise<MailboxDto> {
    return this.mailboxes.get(scope, customerId, mailboxId);
  }

  @Patch(':mailboxId')
  @ApiOperation({ summary: 'Change a mailbox; with regeneratePin the answer shows the new PIN' })
  @ApiOkResponse({ type: MailboxWithPinDto })
  @ApiConflictResponse({ description: '`already_exists`: the mailbox number is taken' })
  @ApiBody({ type: UpdateMailboxDto })
  async update(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('mailboxId', ParseIntPipe) mailboxId: number,
    @Body() body: JsonBody,
  ): Promise<MailboxWithPinDto> {
    const { dto, problems } = await validatePartial(UpdateMailboxDto, body);
    return this.mailboxes.update(scope, customerId, mailboxId, dto, problems);
  }

  @Delete(':mailboxId')
  @ApiOperation({ summary: 'Delete a mailbox of the customer' })
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('mailboxId', ParseIntPipe) mailboxId: number,
  ): Promise<void> {
    await this.mailboxes.remove(scope, customerId, mailboxId);
  }
}
