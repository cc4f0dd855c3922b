import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BalanceDirectory } from '../../shared/balance-directory';
import { sliceByIds, sortOrder, textCell } from '../../shared/http/list-query';
import { Money } from '../../shared/money';
import type { Page } from '../../shared/pagination';
import type { Scope } from '../../shared/scope';
import { IdentityApi } from '../identity/identity.api';
import { TelephonyApi } from '../telephony/telephony.api';
import { CustomersRepository, type CustomerListFilter } from './customers.repository';
import { CustomerViews } from './customer-views';
import { phoneNumberForms } from './domain/customer-search';
import type { CustomerView } from './dto/customer.view';
import { CUSTOMER_SORTS, type ListCustomersQuery } from './dto/list-customers.query';
import type { CustomerEntity } from './entities/customer.entity';

/** The columns of a customer list exported as CSV (GET /api/v1/customers?format=csv), in this order. */
export const CUSTOMER_CSV_HEADER = [
  'id',
  'parent_id',
  'name',
  'account_number',
  'type',
  'reseller',
  'billing_type',
  'payment_type',
  'email',
  'number',
  'username',
  'balance',
  'currency',
  'credit_limit',
  'locked_web',
  'locked_calls',
  'deleted',
  'created_at',
] as const;

/**
 * The customer list (API and page): search (text, login name, telephone number), filters, sort, pages,
 * and the whole list as CSV rows a slice at a time.
 */
@Injectable()
export class CustomerListService {
  constructor(
    private readonly repo: CustomersRepository,
    private readonly views: CustomerViews,
    private readonly balances: BalanceDirectory,
    private readonly identity: IdentityApi,
    private readonly telephony: TelephonyApi,
  ) {}

  async list(scope: Scope, query: ListCustomersQuery): Promise<Page<CustomerView>> {
    const em = this.repo.reader;
    const filter = await this.filter(em, scope, query);
    const { rows, total, page, pageSize } = await this.repo.list(em, filter);
    return { items: await this.views.views(em, rows), page, pageSize, total };
  }

  /**
   * The whole list (same filters and sort, no paging) as CSV rows, 500 customers a slice: their ids in
   * list order are read first (the parent is checked there, so a bad request fails before any output),
   * the rows and views slice by slice.
   */
  async *csvSlices(scope: Scope, query: ListCustomersQuery): AsyncGenerator<string[][]> {
    const em = this.repo.reader;
    const ids = await this.repo.listIds(em, await this.filter(em, scope, query));
    for await (const rows of sliceByIds(ids, (slice) => this.repo.rowsInOrder(em, slice))) {
      yield (await this.views.views(em, rows)).map(csvRow);
    }
  }

  private async filter(em: EntityManager, scope: Scope, q: ListCustomersQuery): Promise<CustomerListFilter> {
    const parent = await this.repo.findInScope(em, scope, q.parentId ?? scope.customerId, { includeDeleted: !!q.includeDeleted });
    const search = q.search?.trim();
    const micros = (v: string | undefined) => (v === undefined ? undefined : Number(Money.of(v).toMicros()));
    return {
      parent,
      recursive: !!q.recursive,
      search,
      searchAlsoIds: search ? await this.alsoFoundBy(em, parent, search) : [],
      includeDeleted: !!q.includeDeleted,
      type: q.type,
      billingType: q.billingType,
      locked: q.locked,
      reseller: q.reseller,
      balanceMinMicros: micros(q.balanceMin),
      balanceMaxMicros: micros(q.balanceMax),
      balanceSql: this.balances.balanceMicrosSql('c.id'),
      sort: sortOrder(q.sort, CUSTOMER_SORTS, 'name'),
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  /**
   * Customers a search finds by what other modules keep: a telephone number of theirs in any usual form
   * (a national one read with the country of the parent's address), a login name or a SIP username
   * (whole, ignoring case). Index lookups, a handful of ids; the list's own conditions still apply.
   */
  private async alsoFoundBy(em: EntityManager, parent: CustomerEntity, search: string): Promise<number[]> {
    const found = await this.telephony.customersWithNumbers(em, phoneNumberForms(search, parent.addressCountry));
    if (search.length <= 100 && !/\s/.test(search)) {
      const [person, line] = await Promise.all([this.identity.customerOfLogin(em, search), this.telephony.sipAccountOwner(em, search)]);
      for (const id of [person, line]) if (id !== null) found.push(id);
    }
    return found;
  }
}

function csvRow(c: CustomerView): string[] {
  return [
    String(c.id),
    c.parentId === null ? '' : String(c.parentId),
    textCell(c.name),
    textCell(c.accountNumber),
    c.type,
    String(c.reseller),
    c.billingType,
    c.paymentType,
    textCell(c.email),
    c.number ?? '',
    textCell(c.username),
    c.balance,
    c.currency,
    c.creditLimit,
    String(c.lockedWeb),
    String(c.lockedCalls),
    String(c.deleted),
    c.createdAt,
  ];
}
