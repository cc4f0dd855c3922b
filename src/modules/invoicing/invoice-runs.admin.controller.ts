import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { assertSystemOwnerAdmin } from '../../shared/system-owner';
import {
  AdminPages,
  formatInstant,
  formValues,
  pageFromQuery,
  pageLinks,
  readForm,
  submitForm,
  withUnplacedErrors,
  type FormBody,
  type FormErrors,
  type FormSchema,
  type Rerender,
} from '../admin/admin.api';
import { StartInvoiceRunDto, type InvoiceRunDto } from './dto/invoicing.dto';
import { InvoiceRunsService } from './invoice-runs.service';
import { InvoiceViews } from './invoice-views.service';

export const INVOICE_RUNS_PATH = '/invoice-runs';
const PAGE_SIZE = 25;
const RUN_FORM: FormSchema = { date: 'text' };

const RUN_STATUS_LABELS: Record<InvoiceRunDto['status'], string> = { running: 'Running', completed: 'Completed', failed: 'Failed' };
const TRIGGER_LABELS: Record<InvoiceRunDto['trigger'], string> = { schedule: 'Nightly', manual: 'By hand' };

/** A run as the pages show it; `data-*` attributes let /assets/invoice-runs.js refresh a running one. */
function runView(r: InvoiceRunDto): Record<string, unknown> {
  return {
    id: r.id,
    date: r.date,
    trigger: TRIGGER_LABELS[r.trigger],
    status: r.status,
    statusText: RUN_STATUS_LABELS[r.status],
    running: r.status === 'running',
    customersDone: r.customersDone,
    customersTotal: r.customersTotal,
    // A run over no customer is done: a full bar, not an empty one.
    progressMax: Math.max(r.customersTotal, 1),
    progressValue: r.customersTotal === 0 && r.status !== 'running' ? 1 : r.customersDone,
    invoicesCreated: r.invoicesCreated,
    invoicesExisting: r.invoicesExisting,
    failures: r.failures,
    error: r.error ?? '',
    startedAt: formatInstant(r.startedAt),
    finishedAt: formatInstant(r.finishedAt),
  };
}

/**
 * Commerce » Invoice runs (administrators of the system owner): start a run by hand and follow it, and
 * the history of runs, nightly and by hand. A run goes on in the background after the POST has answered;
 * its page refreshes the progress by itself (GET /api/v1/invoice-runs/:id with the session cookie).
 */
@ApiExcludeController()
@Controller()
export class InvoiceRunsAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly runs: InvoiceRunsService,
    private readonly views: InvoiceViews,
  ) {}

  @Get('invoice-runs')
  async list(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertSystemOwnerAdmin(scope);
    await this.renderList(req, res, pageFromQuery(query.page), { date: await this.views.today() }, {});
  }

  @Post('invoice-runs')
  async start(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    assertSystemOwnerAdmin(scope);
    const rerender: Rerender = (errors, status) => this.renderList(req, res, 1, body, errors, status);
    await submitForm(StartInvoiceRunDto, readForm(body, RUN_FORM), rerender, async (dto) => {
      const run = await this.runs.start(dto.date, scope.personId);
      this.pages.redirect(
        res,
        `${INVOICE_RUNS_PATH}/${run.id}`,
        `Invoice run #${run.id} for ${run.date} started: it goes on in the background.`,
      );
    });
  }

  @Get('invoice-runs/:id')
  async show(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertSystemOwnerAdmin(scope);
    const run = await this.runs.get(id);
    await this.pages.render(req, res, 'invoicing/run', {
      title: `Invoice run #${run.id}`,
      crumbs: [{ label: 'Invoice runs', href: INVOICE_RUNS_PATH }],
      run: runView(run),
    });
  }

  private async renderList(req: Request, res: Response, page: number, values: FormBody, errors: FormErrors, status = 200): Promise<void> {
    const result = await this.runs.list(page, PAGE_SIZE);
    await this.pages.render(
      req,
      res,
      'invoicing/runs',
      {
        title: 'Invoice runs',
        form: { values: formValues(RUN_FORM, values), errors: withUnplacedErrors(errors, Object.keys(RUN_FORM)) },
        runs: result.items.map(runView),
        anyRunning: result.items.some((r) => r.status === 'running'),
        // The page's own path: the form shown again after a POST answers at the same path anyway.
        pager: pageLinks(page, PAGE_SIZE, result.total, { path: INVOICE_RUNS_PATH, query: page > 1 ? { page: String(page) } : {} }),
      },
      status,
    );
  }
}
