import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { BusinessRuleError, DomainError, type FieldError, ForbiddenError } from '../../shared/errors';
import { CurrentScope, type ScopedRequest } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { CustomerFormOptionsService } from './customer-form-options';
import { CustomersService } from './customers.service';
import { CustomerViews, type CustomerReferences } from './customer-views';
import { editsOwnDetails } from './own-details.admin.controller';
import { CreateCustomerDto, UpdateCustomerDto } from './dto/customer.dto';
import type { CustomerFormOptions, CustomerView } from './dto/customer.view';
import { CUSTOMER_SORTS, type CustomerSort, type ListCustomersQuery } from './dto/list-customers.query';
import { BILLING_TYPES, CUSTOMER_TYPES, type CustomerType } from './entities/customer.entity';
import { CustomerListService } from './customer-list.service';
import { sortOrder } from '../../shared/http/list-query';
import { IdentityApi } from '../identity/identity.api';
import {
  AdminPages,
  OneTimePages,
  pageFromQuery,
  pageLinks,
  searchFrom,
  sortHeaders,
  csvExportUrl,
  withUnplacedErrors,
  type FormBody,
  type FormErrors,
  formatInstant,
  formatMoney,
  refusal,
  submitForm,
  type Rerender,
} from '../admin/admin.api';
import {
  BILLING_TYPE_LABELS,
  contractLabel,
  countryOptions,
  customerFormLists,
  customerFormValues,
  INVOICE_DETAIL_LABELS,
  INVOICE_FORMAT_LABELS,
  newCustomerValues,
  PAYMENT_TYPE_LABELS,
  placedFields,
  readCustomerForm,
  shownFormValues,
  type FormMode,
  type FormValues,
} from './customer-form';

const PAGE_SIZE = 25;

/** The list's sortable columns and their headers. */
const CUSTOMER_SORT_LABELS: Record<CustomerSort, string> = {
  name: 'Name',
  accountNumber: 'Account number',
  type: 'Type',
  billingType: 'Billing type',
  balance: 'Balance',
};
/** The page's balance filter, as the API's bounds (micro-units: the smallest amount). */
const BALANCE_FILTERS = {
  negative: { balanceMax: '-0.000001' },
  zero: { balanceMin: '0', balanceMax: '0' },
  positive: { balanceMin: '0.000001' },
} as const;
/** "true"/"false" from a yes/no/any select; anything else is "any". */
const yesNoFilter = (v: unknown): boolean | undefined => (v === 'true' ? true : v === 'false' ? false : undefined);
const isType = (v: unknown): v is CustomerType => CUSTOMER_TYPES.some((t) => t === v);
const truthy = (v: unknown): boolean => v === 'on' || v === 'true' || v === '1';
const idFrom = (v: unknown): number | undefined => (typeof v === 'string' && /^\d{1,12}$/.test(v) && Number(v) > 0 ? Number(v) : undefined);

/** Commerce » Customers: list, add (normal or residential), show, edit, delete/undelete, switch to. */
@ApiExcludeController()
@Controller()
export class CustomersAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly customers: CustomersService,
    private readonly options: CustomerFormOptionsService,
    private readonly identity: IdentityApi,
    private readonly oneTime: OneTimePages,
    private readonly customerList: CustomerListService,
    private readonly views: CustomerViews,
  ) {}

  @Get('customers')
  async list(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const page = pageFromQuery(query.page);
    const search = searchFrom(query.search);
    const includeDeleted = truthy(query.includeDeleted);
    const parentId = idFrom(query.parentId);
    // Filters and sort are read leniently, as the page offers them: a value it does not offer is ignored.
    const filters = {
      type: isType(query.type) ? query.type : undefined,
      billingType: BILLING_TYPES.find((t) => t === query.billingType),
      locked: yesNoFilter(query.locked),
      reseller: yesNoFilter(query.reseller),
      ...BALANCE_FILTERS[String(query.balance) as keyof typeof BALANCE_FILTERS],
    };
    const sort = sortOrder(query.sort, CUSTOMER_SORTS, 'name');
    const sortParam = `${sort.descending ? '-' : ''}${sort.column}`;
    const q: ListCustomersQuery = { page, pageSize: PAGE_SIZE, includeDeleted, ...filters, sort: sortParam };
    if (search) q.search = search;
    if (parentId) q.parentId = parentId;
    // Whose customers these are: a customer that is not a reseller is not offered "New" (it would be refused).
    const owner = await this.customers.get(scope, parentId && parentId !== scope.customerId ? parentId : scope.customerId);
    const parent = owner.id !== scope.customerId ? owner : null;
    const result = await this.customerList.list(scope, q);
    const filtered = Object.values(filters).some((v) => v !== undefined);
    await this.pages.render(req, res, 'customers/list', {
      title: parent ? `Customers of ${parent.name}` : 'Customers',
      parent,
      newUrl: parent ? `/customers/new?parentId=${parent.id}` : '/customers/new',
      canAdd: scope.role === 'administrator' && (owner.reseller || owner.parentId === null) && !owner.deleted,
      search,
      includeDeleted,
      filtered,
      filter: {
        type: filters.type ?? '',
        billingType: filters.billingType ?? '',
        locked: filters.locked === undefined ? '' : String(filters.locked),
        reseller: filters.reseller === undefined ? '' : String(filters.reseller),
        balance: String(query.balance) in BALANCE_FILTERS ? String(query.balance) : '',
      },
      filterOptions: {
        types: CUSTOMER_TYPES.map((t) => ({ value: t, label: t === 'residential' ? 'Residential' : 'Normal' })),
        billingTypes: BILLING_TYPES.map((t) => ({ value: t, label: BILLING_TYPE_LABELS[t] ?? t })),
      },
      sort: sortHeaders(req, CUSTOMER_SORT_LABELS, sort),
      sortParam,
      csvUrl: csvExportUrl('/api/v1/customers', {
        parentId,
        search,
        includeDeleted: includeDeleted || undefined,
        ...filters,
        sort: sortParam === 'name' ? undefined : sortParam,
      }),
      isAdmin: scope.role === 'administrator',
      customers: result.items.map((c) => ({
        id: c.id,
        name: c.name,
        accountNumber: c.accountNumber,
        type: c.type === 'residential' ? 'Residential' : 'Normal',
        reseller: c.reseller,
        billingType: BILLING_TYPE_LABELS[c.billingType] ?? c.billingType,
        balance: formatMoney(c.balance, c.currency),
        balanceNegative: c.balance.startsWith('-'),
        ...status(c),
      })),
      pager: pageLinks(page, PAGE_SIZE, result.total, req),
    });
  }

  @Get('customers/new')
  async newForm(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertAdministrator(scope);
    const parentId = idFrom(query.parentId);
    const options = await this.options.formOptions(scope, parentId);
    // The save would be refused: say so now rather than after the form is filled in.
    if (!options.parent.canHaveCustomers) throw new BusinessRuleError('customers can only be added under a reseller or the system owner');
    if (!isType(query.type)) {
      return this.pages.render(req, res, 'customers/new-choose', { title: 'New customer', parent: options.parent, parentId });
    }
    const values = newCustomerValues(query.type, options);
    if (parentId) values.parentId = String(parentId);
    await this.renderForm(req, res, 'create', query.type, options, values, {});
  }

  @Post('customers')
  async create(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    const type: CustomerType = isType(body.type) ? body.type : 'normal';
    const parentId = idFrom(body.parentId);
    const options = await this.options.formOptions(scope, parentId);
    const values = readCustomerForm(body, type, 'create', options.settings);
    if (parentId) values.parentId = parentId;
    const rerender: Rerender = (errors, status) => this.renderForm(req, res, 'create', type, options, body, errors, status);
    const save = async (dto: CreateCustomerDto, problems: FieldError[]) => {
      const created = await this.customers.create(scope, dto, problems);
      if (created.sipSecret || created.mailboxPin) {
        // Post/Redirect/Get to a page that shows the secrets once (OneTimePages): a reload creates nothing.
        const { id, name, number, sipSecret, mailboxPin, email } = created;
        return this.oneTime.redirect(req, res, `/customers/${created.id}/created`, { id, name, number, sipSecret, mailboxPin, email });
      }
      this.pages.redirect(
        res,
        `/customers/${created.id}`,
        `Customer “${created.name}” created. Login details were emailed to ${created.email}.`,
      );
    };
    // Every error in one round: the format ones and the customer's checks (names taken, plan, number...).
    await submitForm(CreateCustomerDto, values, rerender, save, { invalid: (errors) => withFormHints(errors, values), checkAll: true });
  }

  /** The one-time page after creating a residential customer: its SIP secret and PIN, shown once. */
  @Get('customers/:id/created')
  async created(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const shown = await this.oneTime.take<{ id: number; name: string; number: string; sipSecret: string; mailboxPin: string; email: string }>(
      req,
      res,
    );
    const c = await this.customers.get(scope, id);
    if (!shown || shown.id !== c.id) {
      return this.pages.redirect(res, `/customers/${c.id}`, {
        kind: 'error',
        text: 'The SIP secret and voicemail PIN were shown only once. Generate new ones on the customer’s telephone line and mailbox pages.',
      });
    }
    await this.pages.render(req, res, 'customers/created', { title: 'Customer created', customer: shown, email: shown.email });
  }

  @Get('customers/:id')
  async show(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const [options, refs] = await Promise.all([this.optionsFor(scope, c), this.views.references(scope, c)]);
    await this.pages.render(req, res, 'customers/detail', {
      title: c.name,
      customer: c,
      refs,
      isAdmin: scope.role === 'administrator',
      isActing: c.id === scope.customerId,
      ...status(c),
      show: detailModel(c, options, refs),
    });
  }

  @Get('customers/:id/edit')
  async editForm(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertAdministrator(scope);
    const c = await this.customers.get(scope, id);
    // The customer you act for keeps only some of its details itself (its parent's lists are out of reach).
    if (editsOwnDetails(scope, c)) return res.redirect(303, `/customers/${id}/own-details`);
    const options = await this.options.formOptions(scope, c.parentId ?? undefined);
    await this.renderForm(req, res, 'edit', c.type, options, customerFormValues(c), {}, 200, c);
  }

  @Post('customers/:id/edit')
  async update(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const options = await this.options.formOptions(scope, c.parentId ?? undefined);
    const values = readCustomerForm(body, c.type, 'edit', options.settings);
    const formBody = { ...body, type: c.type };
    const rerender: Rerender = (errors, status) => this.renderForm(req, res, 'edit', c.type, options, formBody, errors, status, c);
    const save = async (dto: UpdateCustomerDto, problems: FieldError[]) => {
      await this.customers.update(scope, id, dto, problems);
      this.pages.redirect(res, `/customers/${id}`, `Changes to “${c.name}” saved.`);
    };
    await submitForm(UpdateCustomerDto, values, rerender, save, { invalid: (errors) => withFormHints(errors, values), checkAll: true });
  }

  /** A confirmation page, so that deleting needs two deliberate clicks and no JavaScript. */
  @Get('customers/:id/delete')
  async confirmDelete(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertAdministrator(scope);
    const c = await this.customers.get(scope, id);
    await this.pages.render(req, res, 'customers/delete', { title: `Delete ${c.name}`, customer: c });
  }

  @Post('customers/:id/delete')
  async remove(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Res() res: Response): Promise<void> {
    const c = await this.customers.get(scope, id);
    try {
      await this.customers.remove(scope, id);
    } catch (err) {
      return this.pages.redirect(res, `/customers/${id}`, refusal(err, `“${c.name}” was not deleted`));
    }
    this.pages.redirect(res, `/customers/${id}`, `“${c.name}” deleted. You can undelete it from this page.`);
  }

  @Post('customers/:id/undelete')
  async undelete(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Res() res: Response): Promise<void> {
    try {
      const c = await this.customers.undelete(scope, id);
      this.pages.redirect(res, `/customers/${id}`, `“${c.name}” undeleted.`);
    } catch (err) {
      this.pages.redirect(res, `/customers/${id}`, refusal(err, 'Not undeleted'));
    }
  }

  @Post('customers/:id/switch')
  async switchTo(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: ScopedRequest,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    if (!req.sessionTokenHash) throw new BusinessRuleError('switching needs a web session');
    await this.identity.switchTo(scope, req.sessionTokenHash, id);
    this.pages.redirect(res, '/', `You are now acting as “${c.name}”. Use “Switch back” at the top to return.`);
  }

  @Post('switch-back')
  async switchBack(@CurrentScope() scope: Scope, @Req() req: ScopedRequest, @Res() res: Response): Promise<void> {
    if (!req.sessionTokenHash) throw new BusinessRuleError('switching needs a web session');
    const was = scope.customerId;
    await this.identity.switchTo(scope, req.sessionTokenHash, scope.personCustomerId);
    this.pages.redirect(res, scope.switched ? `/customers/${was}` : '/', 'You are acting for your own customer again.');
  }

  // ---------------------------------------------------------------------------------------------

  /** Names for the ids on the detail page; the parent's lists, or none when the parent is out of reach. */
  private async optionsFor(scope: Scope, c: CustomerView): Promise<CustomerFormOptions | null> {
    if (c.parentId === null) return null;
    try {
      return await this.options.formOptions(scope, c.parentId);
    } catch (err) {
      if (err instanceof DomainError) return null;
      throw err;
    }
  }

  private renderForm(
    req: Request,
    res: Response,
    mode: FormMode,
    type: CustomerType,
    options: CustomerFormOptions,
    values: FormValues,
    errors: FormErrors,
    status = 200,
    customer?: CustomerView,
  ): Promise<void> {
    const lists = customerFormLists(options, type, customer?.id);
    const title =
      mode === 'create' ? (type === 'residential' ? 'New residential customer' : 'New customer') : `Edit ${customer?.name ?? ''}`;
    return this.pages.render(
      req,
      res,
      'customers/form',
      {
        title,
        mode,
        isCreate: mode === 'create',
        isResidential: type === 'residential',
        type,
        customer,
        action: mode === 'create' ? '/customers' : `/customers/${customer?.id}/edit`,
        cancelUrl: mode === 'create' ? '/customers' : `/customers/${customer?.id}`,
        underOtherParent: mode === 'create' && values.parentId ? options.parent : null,
        parent: options.parent,
        values: shownFormValues(values, type, mode, options.settings),
        errors: withUnplacedErrors(errors, placedFields(type, mode, options.settings)),
        lists,
      },
      status,
    );
  }
}

/** Forms that only an administrator could save are not shown to users (who may only look). */
function assertAdministrator(scope: Scope): void {
  if (scope.role !== 'administrator') throw new ForbiddenError('only administrators can add or change customers');
}

/** Friendlier messages for the form-only parts (the "Limit to:" boxes). */
function withFormHints(errors: FormErrors, values: Record<string, unknown>): FormErrors {
  const out = { ...errors };
  if (values.dailySpendLimit === '') out.dailySpendLimit = 'Enter the daily amount, or choose “Unlimited” or the rate plan’s value.';
  if (values.maxConcurrentCalls === '')
    out.maxConcurrentCalls = 'Enter the number of calls, or choose “Unlimited” or the rate plan’s value.';
  return out;
}

function status(c: CustomerView): { statusText: string; statusClass: string } {
  if (c.deleted) return { statusText: 'Deleted', statusClass: 'deleted' };
  const locks = [c.lockedWebEffective ? 'web' : null, c.lockedCallsEffective ? 'calls' : null].filter(Boolean);
  if (locks.length) return { statusText: `Locked (${locks.join(', ')})`, statusClass: 'locked' };
  return { statusText: 'Active', statusClass: 'active' };
}

const yesNo = (v: boolean): string => (v ? 'Yes' : 'No');

/** "Rate plan's value (X)" when the customer leaves a plan-level setting unset. */
function planValue(own: unknown, effective: string): { value: string; inherited: boolean } {
  if (own === null || own === undefined) return { value: `Rate plan's value: ${effective}`, inherited: true };
  return { value: effective, inherited: false };
}

function detailModel(c: CustomerView, o: CustomerFormOptions | null, refs: CustomerReferences) {
  const name = (list: { id: number; name: string }[] | undefined, id: number | null): string => {
    if (id === null) return '';
    return list?.find((x) => x.id === id)?.name ?? `#${id}`;
  };
  const e = c.effective;
  const limit = (v: string | number): string =>
    v === 'unlimited' ? 'Unlimited' : typeof v === 'string' ? formatMoney(v, c.currency) : String(v);
  const address = c.billingAddress;
  const country = address?.country ? (countryOptions().find((x) => x.value === address.country)?.label ?? address.country) : null;
  const taxNames = c.taxIds.map((id) => name(o?.taxes ?? refs.lists.taxes, id));
  return {
    balance: formatMoney(c.balance, c.currency),
    balanceNegative: c.balance.startsWith('-'),
    creditLimit: formatMoney(c.creditLimit, c.currency),
    lowBalanceThreshold:
      c.lowBalanceThreshold === '0.00' || /^0(\.0+)?$/.test(c.lowBalanceThreshold)
        ? 'Off (0.00)'
        : formatMoney(c.lowBalanceThreshold, c.currency),
    dailySpendLimit: planValue(c.dailySpendLimit, limit(e.dailySpendLimit)),
    maxConcurrentCalls: planValue(c.maxConcurrentCalls, limit(e.maxConcurrentCalls)),
    externalCallerId: planValue(c.externalCallerId, yesNo(e.externalCallerId)),
    dialPlan: planValue(c.dialPlanId, e.dialPlanId === null ? 'none' : name(o?.dialPlans ?? refs.lists.dialPlans, e.dialPlanId)),
    invoiceDueDays: planValue(c.invoiceDueDays, `${e.invoiceDueDays} days`),
    sendInvoices: planValue(c.sendInvoices, yesNo(e.sendInvoices)),
    invoiceFormat: planValue(c.invoiceFormat, INVOICE_FORMAT_LABELS[e.invoiceFormat] ?? e.invoiceFormat),
    invoiceDetail: planValue(c.invoiceDetail, INVOICE_DETAIL_LABELS[e.invoiceDetail] ?? e.invoiceDetail),
    minimumContract: planValue(c.minimumContractMonths, contractLabel(e.minimumContractMonths)),
    maxVoicemailsPerFolder: c.maxVoicemailsPerFolder === null ? 'No limit' : String(c.maxVoicemailsPerFolder),
    ratePlan: c.ratePlanId === null ? '' : name(o?.ratePlans, c.ratePlanId),
    region: name(o?.regions ?? refs.lists.regions, c.regionId),
    billingType: BILLING_TYPE_LABELS[c.billingType] ?? c.billingType,
    paymentType: PAYMENT_TYPE_LABELS[c.paymentType] ?? c.paymentType,
    taxes: taxNames,
    addressLines: [
      address?.line1,
      address?.line2,
      address?.line3,
      [address?.postcode, address?.city].filter(Boolean).join(' '),
      address?.state,
      country,
    ].filter((x): x is string => !!x),
    affiliate: c.affiliate
      ? {
          id: c.affiliate.customerId,
          name: name(o?.affiliates, c.affiliate.customerId),
          percentage: c.affiliate.percentage,
          basis: c.affiliate.basis,
        }
      : null,
    createdAt: formatInstant(c.createdAt),
    updatedAt: formatInstant(c.updatedAt),
    deletedAt: formatInstant(c.deletedAt),
    showPrefix: !!o?.settings.customerPrefixes || !!c.prefix,
    showRegion: !!o?.settings.regions || c.regionId !== null,
  };
}
