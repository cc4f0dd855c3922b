import { Controller, Get, Param, ParseIntPipe, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { InvoiceDocumentsService, type RenderedDocument } from './invoice-documents.service';

function send(res: Response, doc: RenderedDocument): void {
  res.setHeader('Content-Type', doc.contentType);
  res.setHeader('Content-Disposition', `attachment; filename="${doc.filename}"`);
  res.setHeader('Cache-Control', 'private, no-store');
  res.end(doc.body);
}

/** Downloads of invoice documents: the API's, and the same for the pages (session login). */
@ApiTags('invoicing')
@Controller()
export class InvoiceDocumentsController {
  constructor(private readonly documents: InvoiceDocumentsService) {}

  @Get('api/v1/invoices/:id/pdf')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The invoice (or credit note) as a PDF', description: "Of an invoice in the caller's tree." })
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'the PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } })
  @ApiNotFoundResponse({ description: "no such invoice, or outside the caller's tree" })
  async pdf(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Res() res: Response): Promise<void> {
    send(res, await this.documents.download(scope, id, 'pdf'));
  }

  @Get('api/v1/invoices/:id/xml')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'The invoice (or credit note) as UBL 2.1 XML following EN 16931',
    description: "Of an invoice in the caller's tree. An Invoice document, or a CreditNote referencing the invoice it corrects.",
  })
  @ApiProduces('application/xml')
  @ApiOkResponse({ description: 'the UBL document', content: { 'application/xml': { schema: { type: 'string' } } } })
  @ApiNotFoundResponse({ description: "no such invoice, or outside the caller's tree" })
  async xml(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Res() res: Response): Promise<void> {
    send(res, await this.documents.download(scope, id, 'xml'));
  }

  @Get('invoices/:id/pdf')
  @ApiExcludeEndpoint()
  async pdfPage(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Res() res: Response): Promise<void> {
    send(res, await this.documents.download(scope, id, 'pdf'));
  }

  @Get('invoices/:id/xml')
  @ApiExcludeEndpoint()
  async xmlPage(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Res() res: Response): Promise<void> {
    send(res, await this.documents.download(scope, id, 'xml'));
  }
}
