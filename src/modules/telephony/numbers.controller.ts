import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { answerList, ApiListOk, csvRowsOfPages } from '../../shared/http/list-query';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CustomerNumbersQueryDto, SearchQueryDto } from './dto/common';
import { CurrentScope } from '../../shared/http/decorators';
import type { Page } from '../../shared/pagination';
import type { Scope } from '../../shared/scope';
import {
  AddNumberDto,
  AddNumberRangeDto,
  AssignNumberDto,
  InventoryQueryDto,
  NumberDto,
  NumberPageDto,
  NumberRangeResultDto,
  UpdateCustomerNumberDto,
} from './dto/numbers.dto';
import { NUMBER_CSV_HEADER, numberCsvRow, NumbersService } from './numbers.service';

@ApiTags('numbers')
@ApiBearerAuth()
@Controller('api/v1/numbers')
export class NumbersController {
  constructor(private readonly numbers: NumbersService) {}

  @Get()
  @ApiOperation({ summary: "The acting customer's number inventory: search, filter free/assigned, sort, or export as CSV" })
  @ApiListOk(NumberPageDto, `the columns ${NUMBER_CSV_HEADER.join(', ')}`)
  @ApiBadRequestResponse({ description: 'a bad filter, an unknown `sort` column or bad paging' })
  async list(@CurrentScope() scope: Scope, @Query() q: InventoryQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const free = q.free === undefined ? undefined : q.free === 'true';
    const query = { free, search: q.search, sort: q.sort, page: q.page, pageSize: q.pageSize };
    await answerList(req, res, q.format, () => this.numbers.listInventory(scope, scope.customerId, query), () => ({
      filename: 'numbers.csv',
      header: NUMBER_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.numbers.listInventory(scope, scope.customerId, { ...query, page, pageSize }), numberCsvRow),
    }));
  }

  @Post()
  @ApiOperation({ summary: "Add a number to the acting customer's inventory (resellers only; 409 if it exists anywhere)" })
  @ApiCreatedResponse({ type: NumberDto })
  @ApiConflictResponse({ description: '`already_exists`: the number is already in an inventory' })
  @ApiUnprocessableEntityResponse({ description: '`business_rule`: only resellers keep a number inventory' })
  add(@CurrentScope() scope: Scope, @Body() body: AddNumberDto): Promise<NumberDto> {
    return this.numbers.addToInventory(scope, scope.customerId, body);
  }

  @Post('bulk')
  @ApiOperation({ summary: 'Add an inclusive range of numbers (at most 10,000); all or nothing, 409 lists the first duplicates' })
  @ApiCreatedResponse({ type: NumberRangeResultDto })
  @ApiConflictResponse({ description: '`already_exists`: a number of the range is already in an inventory' })
  @ApiUnprocessableEntityResponse({ description: '`business_rule`: only resellers keep a number inventory' })
  addRange(@CurrentScope() scope: Scope, @Body() body: AddNumberRangeDto): Promise<NumberRangeResultDto> {
    return this.numbers.addRange(scope, scope.customerId, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a free number from the inventory (409 while it is assigned)' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: '`conflict`: the number is assigned to a customer; release it first' })
  async remove(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<void> {
    await this.numbers.removeFromInventory(scope, scope.customerId, id);
  }
}

@ApiTags('numbers')
@ApiBearerAuth()
@Controller('api/v1/customers/:customerId/numbers')
export class CustomerNumbersController {
  constructor(private readonly numbers: NumbersService) {}

  @Get()
  @ApiOperation({ summary: "The customer's numbers, with the effective directory setting: search, sort, or export as CSV" })
  @ApiListOk(NumberPageDto, `the columns ${NUMBER_CSV_HEADER.join(', ')}`)
  @ApiBadRequestResponse({ description: 'an unknown `sort` column or bad paging' })
  async list(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Query() q: CustomerNumbersQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await answerList(req, res, q.format, () => this.numbers.listForCustomer(scope, customerId, q), () => ({
      filename: `numbers-${customerId}.csv`,
      header: NUMBER_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.numbers.listForCustomer(scope, customerId, { ...q, page, pageSize }), numberCsvRow),
    }));
  }

  @Get('available')
  @ApiOperation({
    summary: "Free numbers that can be assigned to the customer (from its parent's inventory, or its own when acting for itself)",
  })
  @ApiOkResponse({ type: NumberPageDto })
  available(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Query() q: SearchQueryDto,
  ): Promise<Page<NumberDto>> {
    return this.numbers.listAssignable(scope, customerId, q);
  }

  @Post()
  @ApiOperation({ summary: 'Assign a free number (by numberId or number); 409 if it was taken meanwhile' })
  @ApiCreatedResponse({ type: NumberDto })
  @ApiConflictResponse({ description: '`already_exists`: the number is already assigned' })
  assign(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Body() body: AssignNumberDto,
  ): Promise<NumberDto> {
    return this.numbers.assign(scope, customerId, body);
  }

  @Get(':numberId')
  @ApiOperation({ summary: 'One number of the customer' })
  @ApiOkResponse({ type: NumberDto })
  get(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('numberId', ParseIntPipe) numberId: number,
  ): Promise<NumberDto> {
    return this.numbers.getForCustomer(scope, customerId, numberId);
  }

  @Patch(':numberId')
  @ApiOperation({ summary: 'Route the number to a telephone line of the customer and/or set its directory setting' })
  @ApiOkResponse({ type: NumberDto })
  update(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('numberId', ParseIntPipe) numberId: number,
    @Body() body: UpdateCustomerNumberDto,
  ): Promise<NumberDto> {
    return this.numbers.update(scope, customerId, numberId, body);
  }

  @Delete(':numberId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Give the number back to the inventory it came from' })
  @ApiNoContentResponse()
  async release(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('numberId', ParseIntPipe) numberId: number,
  ): Promise<void> {
    await this.numbers.release(scope, customerId, numberId);
  }
}
