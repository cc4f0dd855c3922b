import { Controller, Get, Param, ParseIntPipe, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentScope } from '../../shared/http/decorators';
import type { Page } from '../../shared/pagination';
import type { Scope } from '../../shared/scope';
import { InvoiceDto, InvoicePageDto, InvoiceQuery } from './dto/invoicing.dto';
import { InvoicesService } from './invoices.service';

@ApiTags('invoicing')
@ApiBearerAuth()
@Controller('api/v1/invoices')
export class InvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  @Get()
  @ApiOperation({
    summary: "Invoices of the customers in the caller's tree (its own included), newest first",
    description: 'Filters: `customerId`, `status`, `periodStart` (the first day of the invoiced period).',
  })
  @ApiOkResponse({ type: InvoicePageDto })
  @ApiBadRequestResponse({ description: 'an unknown status, a bad date, page or page size' })
  @ApiNotFoundResponse({ description: "customerId is not in the caller's tree" })
  list(@CurrentScope() scope: Scope, @Query() query: InvoiceQuery): Promise<Page<InvoiceDto>> {
    return this.invoices.list(scope, query);
  }

  @Get(':id')
  @ApiOperation({ summary: "One invoice with its lines (of a customer in the caller's tree)" })
  @ApiOkResponse({ type: InvoiceDto })
  @ApiNotFoundResponse({ description: "no such invoice, or outside the caller's tree" })
  get(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<InvoiceDto> {
    return this.invoices.get(scope, id);
  }
}
