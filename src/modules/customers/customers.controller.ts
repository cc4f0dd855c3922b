import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { CurrentScope } from '../../shared/http/decorators';
import { ApiListOk, streamCsv, wantsCsv } from '../../shared/http/list-query';
import { type JsonBody, validatePartial } from '../../shared/http/partial-validation';
import type { Scope } from '../../shared/scope';
import { CustomerFormOptionsService } from './customer-form-options';
import { CUSTOMER_CSV_HEADER, CustomerListService } from './customer-list.service';
import { CustomersService } from './customers.service';
import { CreateCustomerDto, UpdateCustomerDto } from './dto/customer.dto';
import { CreatedCustomerView, CustomerFormOptions, CustomerPageView, CustomerView } from './dto/customer.view';
import { ListCustomersQuery } from './dto/list-customers.query';

export class FormOptionsQuery {
  @ApiPropertyOptional({ description: "the parent the form is for; default: the caller's (acting) customer" })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  parentId?: number;
}

@ApiTags('customers')
@ApiBearerAuth()
@Controller('api/v1/customers')
export class CustomersController {
  constructor(
    private readonly customers: CustomersService,
    private readonly options: CustomerFormOptionsService,
    private readonly customerList: CustomerListService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create a normal or residential customer',
    description:
      'Creates the customer and its administrator person and queues the login-details email. A residential customer also gets ' +
      'a SIP account, a mailbox and the chosen free number of the parent, all in one transaction; the generated SIP secret and PIN are shown only in this answer.',
  })
  @ApiBody({ type: CreateCustomerDto })
  @ApiCreatedResponse({ type: CreatedCustomerView })
  @ApiBadRequestResponse({
    description:
      'every problem of the request at once, one `details` entry per field with its own `code`: format errors and the checks ' +
      'below (a taken login name, a plan the parent may not assign, a number a residential customer needs...); problems of ' +
      'one kind only answer that kind’s status (e.g. 409 `already_exists`)',
  })
  @ApiNotFoundResponse({
    description: 'the parent, rate plan, number, region, dial plan, tax or affiliate named is not in the caller’s tree',
  })
  @ApiConflictResponse({ description: '`already_exists`: the account number, prefix or login name is taken, or the number is not free' })
  @ApiUnprocessableEntityResponse({ description: '`business_rule`: the parent is not a reseller, or the tree is too deep there' })
  async create(@CurrentScope() scope: Scope, @Body() body: JsonBody): Promise<CreatedCustomerView> {
    // Format problems do not stop the business checks: all are answered together (issue #14).
    const { dto, problems } = await validatePartial(CreateCustomerDto, body);
    return this.customers.create(scope, dto, problems);
  }

  @Get()
  @ApiOperation({
    summary: "List the caller's children (or another parent's in its subtree): search, filter, sort, or export as CSV",
    description:
      'Sorted by name unless `sort` names another column (`-column`: descending; ties by id). The filters combine (AND). ' +
      '`format=csv` or `Accept: text/csv` answers the whole list with the same filters and sort, streamed.',
  })
  @ApiListOk(CustomerPageView, `the columns ${CUSTOMER_CSV_HEADER.join(', ')}`)
  @ApiBadRequestResponse({ description: 'a bad filter, an unknown `sort` column or bad paging (`validation_failed`, `details` names the field)' })
  @ApiNotFoundResponse({ description: 'parentId is not in the caller’s tree' })
  async list(@CurrentScope() scope: Scope, @Query() query: ListCustomersQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!wantsCsv(req, query.format)) {
      res.json(await this.customerList.list(scope, query));
      return;
    }
    await streamCsv(res, 'customers.csv', CUSTOMER_CSV_HEADER, this.customerList.csvSlices(scope, query));
  }

  @Get('form-options')
  @ApiOperation({ summary: 'Choices for a customer form: plans, taxes, dial plans, regions, free numbers, affiliates, enums' })
  @ApiQuery({ name: 'parentId', required: false, type: Number })
  @ApiOkResponse({ type: CustomerFormOptions })
  @ApiNotFoundResponse({ description: 'parentId is not in the caller’s tree' })
  formOptions(@CurrentScope() scope: Scope, @Query() query: FormOptionsQuery): Promise<CustomerFormOptions> {
    return this.options.formOptions(scope, query.parentId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One customer of the caller’s tree' })
  @ApiOkResponse({ type: CustomerView })
  get(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<CustomerView> {
    return this.customers.get(scope, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change any subset of the fields (not type, number or parent)' })
  @ApiBody({ type: UpdateCustomerDto })
  @ApiOkResponse({ type: CustomerView })
  @ApiBadRequestResponse({ description: 'every problem of the request at once (format and business checks), one `details` entry per field' })
  @ApiConflictResponse({
    description:
      '`already_exists` (account number, prefix), `in_use` (reseller with live sub-customers), `conflict` (deleted customer, currency with a balance)',
  })
  async update(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Body() body: JsonBody): Promise<CustomerView> {
    const { dto, problems } = await validatePartial(UpdateCustomerDto, body);
    return this.customers.update(scope, id, dto, problems);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Soft delete; refused while it has live sub-customers or is an affiliate' })
  @ApiNoContentResponse()
  @ApiConflictResponse({
    description: '`in_use` (live sub-customers, an affiliate of others) or `conflict` (already deleted, your own customer)',
  })
  async remove(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<void> {
    await this.customers.remove(scope, id);
  }

  @Post(':id/undelete')
  @ApiOperation({ summary: 'Restore a deleted customer' })
  @HttpCode(200)
  @ApiOkResponse({ type: CustomerView })
  @ApiConflictResponse({ description: '`conflict`: not deleted, the parent is deleted, or its account number or prefix was given away' })
  undelete(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<CustomerView> {
    return this.customers.undelete(scope, id);
  }
}
