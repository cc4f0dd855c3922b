import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
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
import { CurrentScope } from '../../shared/http/decorators';
import { type JsonBody, validatePartial } from '../../shared/http/partial-validation';
import { answerList, ApiListOk, csvRowsOfPages } from '../../shared/http/list-query';
import type { Scope } from '../../shared/scope';
import {
  CreatedPersonDto,
  CreatePersonDto,
  LoginLinkSentDto,
  PeopleQueryDto,
  PersonDto,
  PersonPageDto,
  UpdatePersonDto,
} from './dto/people.dto';
import { PEOPLE_CSV_HEADER, PeopleService, personCsvRow } from './people.service';

@ApiTags('people')
@ApiBearerAuth()
@Controller('api/v1/customers/:customerId/people')
export class PeopleController {
  constructor(private readonly people: PeopleService) {}

  @Get()
  @ApiOperation({ summary: "The customer's people (logins): search, filter by role, sort, or export as CSV" })
  @ApiListOk(PersonPageDto, `the columns ${PEOPLE_CSV_HEADER.join(', ')}`)
  @ApiBadRequestResponse({ description: 'a bad filter, an unknown `sort` column or bad paging' })
  async list(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Query() q: PeopleQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await answerList(req, res, q.format, () => this.people.list(scope, customerId, q), () => ({
      filename: `people-${customerId}.csv`,
      header: PEOPLE_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.people.list(scope, customerId, { ...q, page, pageSize }), personCsvRow),
    }));
  }

  @Post()
  @ApiOperation({ summary: 'Create a person; without a password, a one-time set-password link is emailed' })
  @ApiCreatedResponse({ type: CreatedPersonDto })
  @ApiConflictResponse({ description: '`already_exists`: the login name is taken' })
  @ApiBody({ type: CreatePersonDto })
  async create(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Body() body: JsonBody,
  ): Promise<CreatedPersonDto> {
    // Every problem at once (issue #14): format errors and the login name check together.
    const { dto, problems } = await validatePartial(CreatePersonDto, body);
    return this.people.create(scope, customerId, dto, problems);
  }

  @Get(':personId')
  @ApiOperation({ summary: 'One person of the customer' })
  @ApiOkResponse({ type: PersonDto })
  get(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('personId', ParseIntPipe) personId: number,
  ): Promise<PersonDto> {
    return this.people.get(scope, customerId, personId);
  }

  @Patch(':personId')
  @ApiOperation({ summary: 'Change a person (name, email, role, password); a customer keeps at least one administrator' })
  @ApiOkResponse({ type: PersonDto })
  @ApiConflictResponse({ description: '`already_exists` (the login name is taken) or `conflict` (the customer’s last administrator)' })
  @ApiBody({ type: UpdatePersonDto })
  async update(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('personId', ParseIntPipe) personId: number,
    @Body() body: JsonBody,
  ): Promise<PersonDto> {
    const { dto, problems } = await validatePartial(UpdatePersonDto, body);
    return this.people.update(scope, customerId, personId, dto, problems);
  }

  @Delete(':personId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a person and end its logins (not yourself, not the last administrator)' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: '`conflict`: the customer’s last administrator, or yourself' })
  async remove(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('personId', ParseIntPipe) personId: number,
  ): Promise<void> {
    await this.people.remove(scope, customerId, personId);
  }

  @Post(':personId/send-login-link')
  @HttpCode(200)
  @ApiOperation({ summary: 'Email a new one-time set-password link (earlier links stop working)' })
  @ApiOkResponse({ type: LoginLinkSentDto })
  @ApiConflictResponse({ description: '`conflict`: the person has no email address' })
  sendLoginLink(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('personId', ParseIntPipe) personId: number,
  ): Promise<LoginLinkSentDto> {
    return this.people.sendLoginLink(scope, customerId, personId);
  }
}
