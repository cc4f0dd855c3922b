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
import { SipAccountsQueryDto } from './dto/common';
import { CurrentScope } from '../../shared/http/decorators';
import { type JsonBody, validatePartial } from '../../shared/http/partial-validation';
import type { Scope } from '../../shared/scope';
import {
  CreateSipAccountDto,
  SipAccountDto,
  SipAccountPageDto,
  SipAccountWithSecretDto,
  UpdateSipAccountDto,
} from './dto/sip-accounts.dto';
import { SIP_ACCOUNT_CSV_HEADER, sipAccountCsvRow, SipAccountsService } from './sip-accounts.service';

@ApiTags('telephone lines')
@ApiBearerAuth()
@Controller('api/v1/customers/:customerId/sip-accounts')
export class SipAccountsController {
  constructor(private readonly sip: SipAccountsService) {}

  @Get()
  @ApiOperation({ summary: "The customer's telephone lines (SIP accounts); secrets are never listed, sorted by a column or exported as CSV" })
  @ApiListOk(SipAccountPageDto, `the columns ${SIP_ACCOUNT_CSV_HEADER.join(', ')}`)
  @ApiBadRequestResponse({ description: 'an unknown `sort` column or bad paging' })
  async list(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Query() q: SipAccountsQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await answerList(req, res, q.format, () => this.sip.list(scope, customerId, q), () => ({
      filename: `lines-${customerId}.csv`,
      header: SIP_ACCOUNT_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.sip.list(scope, customerId, { ...q, page, pageSize }), sipAccountCsvRow),
    }));
  }

  @Post()
  @ApiOperation({ summary: 'Create a telephone line; the answer shows the secret (only this once)' })
  @ApiCreatedResponse({ type: SipAccountWithSecretDto })
  @ApiConflictResponse({ description: '`already_exists`: the SIP username is taken' })
  @ApiBody({ type: CreateSipAccountDto })
  async create(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Body() body: JsonBody,
  ): Promise<SipAccountWithSecretDto> {
    // Every problem at once (issue #14): format errors and the uniqueness check together.
    const { dto, problems } = await validatePartial(CreateSipAccountDto, body);
    return this.sip.create(scope, customerId, dto, problems);
  }

  @Get(':sipId')
  @ApiOperation({ summary: 'One telephone line (SIP account) of the customer' })
  @ApiOkResponse({ type: SipAccountDto })
  get(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('sipId', ParseIntPipe) sipId: number,
  ): Promise<SipAccountDto> {
    return this.sip.get(scope, customerId, sipId);
  }

  @Patch(':sipId')
  @ApiOperation({ summary: 'Change a telephone line; with regenerateSecret the answer shows the new secret' })
  @ApiOkResponse({ type: SipAccountWithSecretDto })
  update(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('sipId', ParseIntPipe) sipId: number,
    @Body() body: UpdateSipAccountDto,
  ): Promise<SipAccountWithSecretDto> {
    return this.sip.update(scope, customerId, sipId, body);
  }

  @Delete(':sipId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a telephone line (its numbers stay with the customer, unrouted)' })
  @ApiNoContentResponse()
  async remove(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('sipId', ParseIntPipe) sipId: number,
  ): Promise<void> {
    await this.sip.remove(scope, customerId, sipId);
  }
}
