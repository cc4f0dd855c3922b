import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentScope } from '../../shared/http/decorators';
import { PageQuery, type Page } from '../../shared/pagination';
import type { Scope } from '../../shared/scope';
import { assertSystemOwnerAdmin } from '../../shared/system-owner';
import { InvoiceRunDto, InvoiceRunPageDto, StartInvoiceRunDto } from './dto/invoicing.dto';
import { InvoiceRunsService } from './invoice-runs.service';

@ApiTags('invoicing')
@ApiBearerAuth()
@Controller('api/v1/invoice-runs')
export class InvoiceRunsController {
  constructor(private readonly runs: InvoiceRunsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start an invoice run now (system owner administrators)',
    description:
      "Invoices every customer's billing periods that ended on or before `date` (default today, system time zone) in the " +
      "customer's time zone and have no invoice yet. Answers at once with the run; follow its progress with GET /invoice-runs/:id. " +
      'Running it again, or while another run is going, never bills a period twice.',
  })
  @ApiAcceptedResponse({ type: InvoiceRunDto })
  @ApiBadRequestResponse({ description: 'a date that is not YYYY-MM-DD, or in the future' })
  @ApiForbiddenResponse({ description: 'not an administrator of the system owner' })
  start(@CurrentScope() scope: Scope, @Body() body: StartInvoiceRunDto): Promise<InvoiceRunDto> {
    assertSystemOwnerAdmin(scope);
    return this.runs.start(body.date, scope.personId);
  }

  @Get()
  @ApiOperation({ summary: 'Invoice runs, newest first (system owner administrators)' })
  @ApiOkResponse({ type: InvoiceRunPageDto })
  @ApiForbiddenResponse({ description: 'not an administrator of the system owner' })
  list(@CurrentScope() scope: Scope, @Query() query: PageQuery): Promise<Page<InvoiceRunDto>> {
    assertSystemOwnerAdmin(scope);
    return this.runs.list(query.page, query.pageSize);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One invoice run with its progress (system owner administrators)' })
  @ApiOkResponse({ type: InvoiceRunDto })
  @ApiForbiddenResponse({ description: 'not an administrator of the system owner' })
  @ApiNotFoundResponse({ description: 'no such run' })
  get(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<InvoiceRunDto> {
    assertSystemOwnerAdmin(scope);
    return this.runs.get(id);
  }
}
