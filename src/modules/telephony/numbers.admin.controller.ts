import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { CustomerRef } from '../../shared/customer-directory';
import { DomainError } from '../../shared/errors';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import {
  AdminPages,
  customerCrumbs,
  formatInstant,
  formErrors,
  csvExportUrl,
  pageFromQuery,
  pageSort,
  pageLinks,
  readForm,
  refusal,
  searchFrom,
  statusOf,
  submitForm,
  withUnplacedErrors,
  YES_NO,
  type FormBody,
  type FormErrors,
  type FormSchema,
  type Rerender,
} from '../admin/admin.api';
import { AddNumberDto, AddNumberRangeDto, UpdateCustomerNumberDto, type NumberDto } from './dto/numbers.dto';
import { NumbersService, sourceInventoryOwner } from './numbers.service';
import { SipAccountsService } from './sip-accounts.service';
import { PAGE_SIZE, PageCustomers, s, yesNo } from './telephony.admin-shared';

/** How many free numbers the "assign a number" select offers at once (narrow with the search box). */
const ASSIGNABLE_SHOWN = 100;
/** Lines offered when routing a number (the service's largest page). */
const LINES_SHOWN = 500;

/** "Customers › Acme › Numbers ›". */
const numberCrumbs = (c: CustomerRef) => customerCrumbs(c, { label: 'Numbers', href: `/customers/${c.id}/numbers` });

const NUMBER_FORM: FormSchema = { sipAccountId: 'int?', directory: 'bool?' };
const INVENTORY_FORM: FormSchema = { number: 'text', directory: 'bool?' };
const RANGE_FORM: FormSchema = { from: 'text', to: 'text', directory: 'bool?' };

/** Numbers: those of a customer (assign, route to a line, release) and the acting customer's inventory. */
@ApiExcludeController()
@Controller()
export class NumbersAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly customers: PageCustomers,
    private readonly lines: SipAccountsService,
    private readonly numbers: NumbersService,
  ) {}

  // --- a customer's numbers ----------------------------------------------------------------------

  @Get('customers/:id/numbers')
  async numberList(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const page = pageFromQuery(query.page);
    const search = searchFrom(query.search);
    const sort = pageSort(req, { number: 'Number', customerId: 'Customer', createdAt: 'Added' }, 'number');
    const result = await this.numbers.listForCustomer(scope, id, { page, pageSize: PAGE_SIZE, search: search || undefined, sort: sort.param });
    const lineNames = await this.lineNames(scope, id);
    const sortParam = sort.param === 'number' ? '' : sort.param;
    await this.pages.render(req, res, 'telephony/numbers-list', {
      title: `Numbers of ${c.name}`,
      crumbs: customerCrumbs(c),
      customer: c,
      isAdmin: scope.role === 'administrator',
      // Numbers come from the parent's inventory when a reseller above equips the customer, else from the
      // customer's own, which only a reseller has: nobody is sent to an empty inventory it cannot fill.
      canAssign: scope.role === 'administrator' && (sourceInventoryOwner(scope, c) !== c.id || c.reseller || c.parentId === null),
      search,
      sort: sort.headers,
      sortParam,
      csvUrl: csvExportUrl(`/api/v1/customers/${c.id}/numbers`, { search, sort: sortParam }),
      numbers: result.items.map((n) => ({
        ...n,
        line: n.sipAccountId === null ? null : (lineNames.get(n.sipAccountId) ?? `#${n.sipAccountId}`),
        directoryText: n.directory === null ? `Customer's setting (${yesNo(n.effectiveDirectory)})` : yesNo(n.directory),
        directoryInherited: n.directory === null,
      })),
      pager: pageLinks(page, PAGE_SIZE, result.total, req),
    });
  }

  @Get('customers/:id/numbers/assign')
  async numberAssignForm(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    await this.renderAssign(req, res, scope, c, searchFrom(query.search), {}, {});
  }

  @Post('customers/:id/numbers/assign')
  async numberAssign(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const values = readForm(body, { numberId: 'int' });
    const search = searchFrom(body.search);
    if (typeof values.numberId !== 'number' || values.numberId < 1) {
      return this.renderAssign(req, res, scope, c, search, body, { numberId: 'Choose a free number.' }, 400);
    }
    try {
      const n = await this.numbers.assign(scope, id, { numberId: values.numberId });
      this.pages.redirect(
        res,
        `/customers/${id}/numbers`,
        `Number ${n.number} assigned to ${c.name}. Route it to a telephone line so that it rings.`,
      );
    } catch (err) {
      // A number taken by someone else a moment ago answers 404 or 409: both belong next to the select.
      if (err instanceof DomainError && err.status === 404) {
        return this.renderAssign(req, res, scope, c, search, body, { numberId: 'This number is no longer free. Choose another one.' }, 409);
      }
      return this.renderAssign(req, res, scope, c, search, body, formErrors(err), statusOf(err));
    }
  }

  @Get('customers/:id/numbers/:numberId/edit')
  async numberEdit(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('numberId', ParseIntPipe) numberId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const n = await this.numbers.getForCustomer(scope, id, numberId);
    await this.renderNumberForm(req, res, scope, c, n, { sipAccountId: s(n.sipAccountId), directory: s(n.directory) }, {});
  }

  @Post('customers/:id/numbers/:numberId/edit')
  async numberUpdate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('numberId', ParseIntPipe) numberId: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const n = await this.numbers.getForCustomer(scope, id, numberId);
    const rerender: Rerender = (errors, status) => this.renderNumberForm(req, res, scope, c, n, body, errors, status);
    await submitForm(UpdateCustomerNumberDto, readForm(body, NUMBER_FORM), rerender, async (dto) => {
      await this.numbers.update(scope, id, numberId, dto);
      this.pages.redirect(res, `/customers/${id}/numbers`, `Number ${n.number} saved.`);
    });
  }

  @Get('customers/:id/numbers/:numberId/release')
  async numberConfirmRelease(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('numberId', ParseIntPipe) numberId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const n = await this.numbers.getForCustomer(scope, id, numberId);
    await this.pages.render(req, res, 'telephony/confirm', {
      title: `Release ${n.number}`,
      heading: `Release ${n.number} from ${c.name}?`,
      text: 'The number stops ringing on this customer’s lines and goes back to the inventory it came from, free for another customer.',
      crumbs: numberCrumbs(c),
      action: `/customers/${id}/numbers/${numberId}/release`,
      button: 'Release',
      cancelUrl: `/customers/${id}/numbers`,
    });
  }

  @Post('customers/:id/numbers/:numberId/release')
  async numberRelease(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('numberId', ParseIntPipe) numberId: number,
    @Res() res: Response,
  ): Promise<void> {
    const n = await this.numbers.getForCustomer(scope, id, numberId);
    await this.numbers.release(scope, id, numberId);
    this.pages.redirect(res, `/customers/${id}/numbers`, `Number ${n.number} released.`);
  }

  private async lineNames(scope: Scope, customerId: number): Promise<Map<number, string>> {
    const lines = await this.lines.list(scope, customerId, { pageSize: LINES_SHOWN });
    return new Map(lines.items.map((l) => [l.id, `${l.displayName} (${l.username})`]));
  }

  private async renderAssign(
    req: Request,
    res: Response,
    scope: Scope,
    c: CustomerRef,
    search: string,
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const free = await this.numbers.listAssignable(scope, c.id, { search: search || undefined, pageSize: ASSIGNABLE_SHOWN });
    await this.pages.render(
      req,
      res,
      'telephony/number-assign',
      {
        title: `Assign a number to ${c.name}`,
        crumbs: numberCrumbs(c),
        customer: c,
        search,
        free: free.items.map((n) => ({ value: String(n.id), label: n.number })),
        more: free.total > free.items.length ? free.total - free.items.length : 0,
        freeHelp: `${free.total} free number${free.total === 1 ? '' : 's'}${search ? ' matching the search' : ''}.`,
        values,
        errors: withUnplacedErrors(errors, ['numberId']),
      },
      status,
    );
  }

  private async renderNumberForm(
    req: Request,
    res: Response,
    scope: Scope,
    c: CustomerRef,
    n: NumberDto,
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const lines = await this.lineNames(scope, c.id);
    await this.pages.render(
      req,
      res,
      'telephony/number-form',
      {
        title: `Number ${n.number}`,
        crumbs: numberCrumbs(c),
        customer: c,
        number: n,
        action: `/customers/${c.id}/numbers/${n.id}/edit`,
        cancelUrl: `/customers/${c.id}/numbers`,
        lines: [...lines].map(([id, label]) => ({ value: String(id), label })),
        customerDirectory: yesNo(c.directory),
        yesNo: YES_NO,
        values,
        errors: withUnplacedErrors(errors, ['sipAccountId', 'directory']),
      },
      status,
    );
  }

  // --- the acting customer's inventory -----------------------------------------------------------

  @Get('numbers')
  async inventory(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const me = await this.customers.get(scope, scope.customerId);
    const page = pageFromQuery(query.page);
    const search = searchFrom(query.search).slice(0, 32);
    const status = query.status === 'free' || query.status === 'assigned' ? query.status : '';
    const sort = pageSort(req, { number: 'Number', customerId: 'Status', createdAt: 'Added' }, 'number');
    const sortParam = sort.param === 'number' ? '' : sort.param;
    const result = await this.numbers.listInventory(scope, scope.customerId, {
      page,
      pageSize: PAGE_SIZE,
      search: search || undefined,
      free: status === '' ? undefined : status === 'free',
      sort: sort.param,
    });
    await this.pages.render(req, res, 'telephony/inventory-list', {
      title: 'Numbers',
      owner: me,
      canAdd: scope.role === 'administrator' && me.reseller,
      isAdmin: scope.role === 'administrator',
      search,
      status,
      sort: sort.headers,
      sortParam,
      csvUrl: csvExportUrl('/api/v1/numbers', { search, free: status === '' ? undefined : String(status === 'free'), sort: sortParam }),
      statuses: [
        { value: 'free', label: 'Free' },
        { value: 'assigned', label: 'Assigned' },
      ],
      numbers: result.items.map((n) => ({
        ...n,
        free: n.customerId === null,
        directoryText: n.directory === null ? "Customer's setting" : yesNo(n.directory),
        createdAt: formatInstant(n.createdAt),
      })),
      pager: pageLinks(page, PAGE_SIZE, result.total, req),
    });
  }

  @Get('numbers/new')
  async inventoryNew(@CurrentScope() scope: Scope, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.renderInventoryForm(req, res, scope, 'one', {}, {});
  }

  @Get('numbers/new-range')
  async inventoryNewRange(@CurrentScope() scope: Scope, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.renderInventoryForm(req, res, scope, 'range', {}, {});
  }

  @Post('numbers')
  async inventoryAdd(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    const rerender: Rerender = (errors, status) => this.renderInventoryForm(req, res, scope, 'one', body, errors, status);
    await submitForm(AddNumberDto, readForm(body, INVENTORY_FORM), rerender, async (dto) => {
      const n = await this.numbers.addToInventory(scope, scope.customerId, dto);
      this.pages.redirect(res, `/numbers?search=${encodeURIComponent(n.number)}`, `Number ${n.number} added to your inventory.`);
    });
  }

  @Post('numbers/range')
  async inventoryAddRange(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    const rerender: Rerender = (errors, status) => this.renderInventoryForm(req, res, scope, 'range', body, errors, status);
    const save = async (dto: AddNumberRangeDto) => {
      const r = await this.numbers.addRange(scope, scope.customerId, dto);
      this.pages.redirect(
        res,
        '/numbers?status=free',
        `${r.added} number${r.added === 1 ? '' : 's'} from ${r.from} to ${r.to} added to your inventory.`,
      );
    };
    await submitForm(AddNumberRangeDto, readForm(body, RANGE_FORM), rerender, save, { refused: rangeErrors });
  }

  @Post('numbers/:numberId/delete')
  async inventoryDelete(
    @CurrentScope() scope: Scope,
    @Param('numberId', ParseIntPipe) numberId: number,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    const label = typeof body.number === 'string' && /^\d{1,20}$/.test(body.number) ? body.number : `#${numberId}`;
    try {
      await this.numbers.removeFromInventory(scope, scope.customerId, numberId);
    } catch (err) {
      return this.pages.redirect(res, '/numbers', refusal(err, `Number ${label} was not deleted`));
    }
    this.pages.redirect(res, '/numbers', `Number ${label} deleted from your inventory.`);
  }

  private async renderInventoryForm(
    req: Request,
    res: Response,
    scope: Scope,
    kind: 'one' | 'range',
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const me = await this.customers.get(scope, scope.customerId);
    await this.pages.render(
      req,
      res,
      'telephony/inventory-form',
      {
        title: kind === 'one' ? 'Add a number' : 'Add a range of numbers',
        isRange: kind === 'range',
        owner: me,
        action: kind === 'one' ? '/numbers' : '/numbers/range',
        yesNo: YES_NO,
        values,
        errors: withUnplacedErrors(errors, kind === 'one' ? ['number', 'directory'] : ['from', 'to', 'directory']),
      },
      status,
    );
  }
}

/** A refused range lists the first numbers that already exist above the form. */
function rangeErrors(err: unknown): FormErrors {
  const errors = formErrors(err);
  // Each existing number is its own detail, `number N` (details are one per field).
  const existing = err instanceof DomainError ? err.details.filter((d) => /^number \d+$/.test(d.field)).map((d) => d.field.slice(7)) : [];
  if (err instanceof DomainError && existing.length) {
    for (const n of existing) delete errors[`number ${n}`];
    errors._form = `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}: ${existing.join(', ')}.`;
  }
  return errors;
}
