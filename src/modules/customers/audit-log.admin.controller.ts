import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { CurrentScope } from '../../shared/http/decorators';
import { streamCsv, textCell, wantsCsv } from '../../shared/http/list-query';
import type { Scope } from '../../shared/scope';
import {
  AdminPages,
  formatInstant,
  formErrors,
  instantFromForm,
  pageFromQuery,
  pageLinks,
  statusOf,
  type FormErrors,
} from '../admin/admin.api';
import { actionLabel, AuditLogService, type AuditFilter, type AuditRow } from './audit-log.service';
import { CustomersApi } from './customers.api';

const PAGE_SIZE = 50;
/** Customers offered in the filter's list; a bigger tree still filters by any customer through its link. */
const PICKER_LIMIT = 500;
const CSV_HEADER = ['id', 'at', 'actor', 'acting_as', 'customer_id', 'customer', 'action', 'entity_type', 'entity_id', 'details'];

/**
 * Audit log (menu: Audit log): who changed what and when, from the entries every change records in the
 * same transaction (AuditService), limited to the viewer's subtree; filtered by customer, actor (login
 * name) and time, paged, and downloadable as CSV with the same filters (`?format=csv`, streamed).
 */
@ApiExcludeController()
@Controller('audit')
export class AuditLogAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly audit: AuditLogService,
    private readonly customers: CustomersApi,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  async list(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
    const values = { customer: text(query.customer), actor: text(query.actor), from: text(query.from), to: text(query.to) };
    const errors: FormErrors = {};
    const filter: AuditFilter = {};
    let chosen: { id: number; name: string } | null = null;
    if (values.customer) {
      if (/^\d{1,12}$/.test(values.customer)) {
        // A customer outside the viewer's tree is the 404 page, as everywhere.
        chosen = await this.customers.findInScope(this.dataSource.manager, scope, Number(values.customer), { includeDeleted: true });
        filter.customerId = chosen.id;
      } else errors.customer = 'Choose a customer from the list.';
    }
    if (values.actor) {
      if (values.actor.length <= 100) filter.actor = values.actor;
      else errors.actor = 'A login name has at most 100 characters.';
    }
    if (values.from) filter.from = String(instantFromForm(values.from));
    if (values.to) filter.to = String(instantFromForm(values.to));

    if (wantsCsv(req, query.format) && !Object.keys(errors).length) {
      await streamCsv(res, 'audit-log.csv', CSV_HEADER, csvRows(this.audit.slices(scope, filter)));
      return;
    }

    const page = pageFromQuery(query.page);
    let items: AuditRow[] = [];
    let total = 0;
    let status = 200;
    if (Object.keys(errors).length) status = 400;
    else {
      try {
        ({ items, total } = await this.audit.page(scope, filter, page, PAGE_SIZE));
      } catch (err) {
        if (statusOf(err) !== 400) throw err;
        Object.assign(errors, formErrors(err));
        status = 400;
      }
    }
    const picker = await this.customers.subtreeCustomers(this.dataSource.manager, scope.customerPath, PICKER_LIMIT);
    // A big tree lists its first customers only (and no deleted ones): the one chosen is always offered.
    if (chosen && !picker.some((c) => c.id === chosen.id)) picker.push({ id: chosen.id, name: chosen.name, depth: 0 });
    const csv = new URLSearchParams({ format: 'csv' });
    for (const [k, v] of Object.entries(values)) if (v) csv.set(k, v);
    await this.pages.render(
      req,
      res,
      'customers/audit',
      {
        title: 'Audit log',
        values,
        errors,
        filtered: Object.values(values).some(Boolean),
        customers: picker.map((c) => ({ value: String(c.id), label: `${'— '.repeat(c.depth)}${c.name}` })),
        entries: items.map((e) => ({
          ...e,
          at: formatInstant(e.at),
          action: actionLabel(e.action),
          what: e.entityId === null ? e.entityType : `${e.entityType} ${e.entityId}`,
        })),
        csvUrl: `/audit?${csv.toString()}`,
        pager: pageLinks(page, PAGE_SIZE, total, req),
      },
      status,
    );
  }
}

async function* csvRows(slices: AsyncIterable<AuditRow[]>): AsyncGenerator<unknown[][]> {
  for await (const slice of slices) {
    yield slice.map((e) => [
      e.id,
      e.at.toISOString(),
      textCell(e.actor),
      textCell(e.actingAsName),
      e.customerId ?? '',
      textCell(e.customerName),
      e.action,
      e.entityType,
      textCell(e.entityId),
      textCell(e.details),
    ]);
  }
}
