import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUniqueViolation, TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { Clock } from '../../shared/clock';
import { BusinessRuleError, ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import { Page, pageParams } from '../../shared/pagination';
import type { Scope } from '../../shared/scope';
import { ancestorIds, CustomerDirectory, type CustomerRef } from '../../shared/customer-directory';
import { expandNumberRange, MAX_RANGE_SIZE } from './domain/identifiers';
import type { NumberDto } from './dto/numbers.dto';
import { NumberEntity } from './entities/number.entity';
import { TelephonyRepository } from './telephony.repository';
import { NUMBER_SORTS } from './dto/common';
import { sortOrder, textCell } from '../../shared/http/list-query';

/** The columns of a number list exported as CSV, in this order. */
export const NUMBER_CSV_HEADER = ['id', 'number', 'owner_customer_id', 'customer_id', 'customer_name', 'sip_account_id', 'directory', 'created_at'];
export function numberCsvRow(n: NumberDto): string[] {
  const nullable = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return [String(n.id), n.number, String(n.ownerCustomerId), nullable(n.customerId), textCell(n.customerName), nullable(n.sipAccountId), nullable(n.directory), n.createdAt];
}

export interface InventoryQuery {
  /** true: free numbers only; false: assigned ones only; undefined: all. */
  free?: boolean;
  search?: string;
  /** A NUMBER_SORTS column, `-column` descending; number by default. */
  sort?: string;
  page?: number;
  pageSize?: number;
}
export interface NumberSearchQuery {
  search?: string;
  sort?: string;
  page?: number;
  pageSize?: number;
}
export interface AddNumberInput {
  number: string;
  directory?: boolean | null;
}
export interface AddNumberRangeInput {
  from: string;
  to: string;
  directory?: boolean | null;
}
export interface AssignNumberInput {
  numberId?: number;
  number?: string;
}
export interface UpdateCustomerNumberInput {
  /** undefined = unchanged; null = not routed to a line. */
  sipAccountId?: number | null;
  /** undefined = unchanged; null = the customer's setting. */
  directory?: boolean | null;
}

/** How many duplicates a refused range lists. */
const DUPLICATES_LISTED = 10;

export function toNumberDto(n: NumberEntity, customer?: Pick<CustomerRef, 'name' | 'directory'>): NumberDto {
  return {
    id: n.id,
    number: n.number,
    ownerCustomerId: n.ownerCustomerId,
    customerId: n.customerId,
    customerName: n.customerId !== null ? (customer?.name ?? null) : null,
    sipAccountId: n.sipAccountId,
    directory: n.directory,
    effectiveDirectory: n.directory ?? (n.customerId !== null && customer ? customer.directory : null),
    createdAt: n.createdAt.toISOString(),
  };
}

/**
 * Numbers: a reseller's inventory (numbers are unique on the whole platform) and the numbers assigned
 * to a customer. A number is free while its customer is null.
 */
@Injectable()
export class NumbersService {
  constructor(
    private readonly repo: TelephonyRepository,
    private readonly customers: CustomerDirectory,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  // --- inventory -------------------------------------------------------------------------------

  async listInventory(scope: Scope, ownerCustomerId: number, query: InventoryQuery = {}): Promise<Page<NumberDto>> {
    const em = this.repo.reader;
    await this.customers.findInScope(em, scope, ownerCustomerId);
    return this.inventoryPage(em, ownerCustomerId, query);
  }

  async addToInventory(scope: Scope, ownerCustomerId: number, input: AddNumberInput): Promise<NumberDto> {
    return this.uniqueNumbers(async () =>
      this.tx.run(async (em) => {
        const owner = await this.loadInventoryOwner(em, scope, ownerCustomerId);
        if (await this.repo.findNumberByValue(em, input.number)) throw ConflictError.field('number', 'this number already exists');
        const row = this.newRow(owner.id, input.number, input.directory ?? null);
        const [id] = await this.repo.insertNumbers(em, [row]);
        await this.audit.record(
          scope,
          { action: 'number_added', entityType: 'number', entityId: id, customerId: owner.id, details: { number: input.number } },
          em,
        );
        return toNumberDto({ ...row, id } as NumberEntity);
      }),
    );
  }

  /** Adds every number of an inclusive range, or none of them. */
  async addRange(scope: Scope, ownerCustomerId: number, input: AddNumberRangeInput): Promise<{ added: number; from: string; to: string }> {
    const range = expandNumberRange(input.from, input.to, MAX_RANGE_SIZE);
    if (!range.ok) throw ValidationError.field(range.field, range.message);
    return this.uniqueNumbers(async () =>
      this.tx.run(async (em) => {
        const owner = await this.loadInventoryOwner(em, scope, ownerCustomerId);
        const existing = await this.repo.existingNumbersInRange(em, input.from, input.to);
        if (existing.length) {
          throw new ConflictError(
            `${existing.length} of these numbers already exist${existing.length > DUPLICATES_LISTED ? ` (first ${DUPLICATES_LISTED} listed)` : ''}`,
            // One detail per number (details are one per field): named like a deck's `line N`.
            existing.slice(0, DUPLICATES_LISTED).map((n) => ({ field: `number ${n}`, message: 'already exists', code: 'already_exists' as const })),
            'already_exists',
          );
        }
        const directory = input.directory ?? null;
        await this.repo.insertNumbers(
          em,
          range.numbers.map((n) => this.newRow(owner.id, n, directory)),
        );
        await this.audit.record(
          scope,
          {
            action: 'number_range_added',
            entityType: 'number',
            customerId: owner.id,
            details: { from: input.from, to: input.to, count: range.numbers.length },
          },
          em,
        );
        return { added: range.numbers.length, from: input.from, to: input.to };
      }),
    );
  }

  /** Removes a free number from the inventory for good (an assigned one must be released first). */
  async removeFromInventory(scope: Scope, ownerCustomerId: number, numberId: number): Promise<void> {
    await this.tx.run(async (em) => {
      await this.customers.findInScope(em, scope, ownerCustomerId);
      const n = await this.repo.findOwnedNumber(em, ownerCustomerId, numberId);
      if (!n) throw new NotFoundError('number');
      if (n.customerId !== null || !(await this.repo.deleteFreeNumber(em, ownerCustomerId, numberId))) {
        throw new ConflictError('the number is assigned to a customer; release it first');
      }
      await this.audit.record(
        scope,
        { action: 'number_removed', entityType: 'number', entityId: n.id, customerId: ownerCustomerId, details: { number: n.number } },
        em,
      );
    });
  }

  // --- a customer's numbers --------------------------------------------------------------------

  async listForCustomer(scope: Scope, customerId: number, query: NumberSearchQuery = {}): Promise<Page<NumberDto>> {
    const em = this.repo.reader;
    const customer = await this.customers.findInScope(em, scope, customerId);
    const { page, pageSize, skip } = pageParams(query);
    const order = sortOrder(query.sort, NUMBER_SORTS, 'number');
    const [rows, total] = await this.repo.pageCustomerNumbers(em, customer.id, { search: query.search, skip, take: pageSize, order });
    return { items: rows.map((n) => toNumberDto(n, customer)), page, pageSize, total };
  }

  /** The free numbers that `assign` would take for this customer (for pickers). */
  async listAssignable(scope: Scope, customerId: number, query: NumberSearchQuery = {}): Promise<Page<NumberDto>> {
    const em = this.repo.reader;
    const customer = await this.customers.findInScope(em, scope, customerId);
    return this.inventoryPage(em, sourceInventoryOwner(scope, customer), { ...query, free: true });
  }

  async getForCustomer(scope: Scope, customerId: number, numberId: number): Promise<NumberDto> {
    const em = this.repo.reader;
    const customer = await this.customers.findInScope(em, scope, customerId);
    const n = await this.repo.findCustomerNumber(em, customer.id, numberId);
    if (!n) throw new NotFoundError('number');
    return toNumberDto(n, customer);
  }

  /** Takes a free number from the source inventory (see `sourceInventoryOwner`) for the customer. */
  async assign(scope: Scope, customerId: number, input: AssignNumberInput): Promise<NumberDto> {
    if ((input.numberId === undefined) === (input.number === undefined)) {
      throw ValidationError.field('numberId', 'give either numberId or number');
    }
    return this.tx.run(async (em) => {
      const customer = await this.customers.lockLiveInScope(em, scope, customerId);
      const ownerId = sourceInventoryOwner(scope, customer);
      const n =
        input.numberId !== undefined
          ? await this.repo.findOwnedNumber(em, ownerId, input.numberId)
          : await this.repo.findOwnedNumberByValue(em, ownerId, input.number!);
      if (!n) throw new NotFoundError('number');
      if (n.customerId !== null || !(await this.repo.claimNumber(em, n.id, customer.id))) {
        throw ConflictError.field(input.numberId !== undefined ? 'numberId' : 'number', 'this number is already assigned');
      }
      await this.audit.record(
        scope,
        { action: 'number_assigned', entityType: 'number', entityId: n.id, customerId: customer.id, details: { number: n.number } },
        em,
      );
      return toNumberDto({ ...n, customerId: customer.id, sipAccountId: null }, customer);
    });
  }

  async update(scope: Scope, customerId: number, numberId: number, input: UpdateCustomerNumberInput): Promise<NumberDto> {
    return this.tx.run(async (em) => {
      const customer = await this.customers.findInScope(em, scope, customerId);
      const n = await this.repo.findCustomerNumber(em, customer.id, numberId);
      if (!n) throw new NotFoundError('number');
      const patch: Partial<Pick<NumberEntity, 'sipAccountId' | 'directory'>> = {};
      if (input.sipAccountId !== undefined) {
        if (input.sipAccountId !== null && !(await this.repo.findLiveSipAccount(em, customer.id, input.sipAccountId))) {
          throw ValidationError.field('sipAccountId', 'no such telephone line of this customer');
        }
        patch.sipAccountId = input.sipAccountId;
      }
      if (input.directory !== undefined) patch.directory = input.directory;
      if (Object.keys(patch).length) {
        await this.repo.updateNumber(em, n.id, patch);
        await this.audit.record(
          scope,
          {
            action: 'number_updated',
            entityType: 'number',
            entityId: n.id,
            customerId: customer.id,
            details: { number: n.number, ...patch },
          },
          em,
        );
      }
      return toNumberDto({ ...n, ...patch }, customer);
    });
  }

  /** Gives the number back to the inventory it came from (and takes it off any line). */
  async release(scope: Scope, customerId: number, numberId: number): Promise<void> {
    await this.tx.run(async (em) => {
      const customer = await this.customers.findInScope(em, scope, customerId);
      const n = await this.repo.findCustomerNumber(em, customer.id, numberId);
      if (!n || !(await this.repo.releaseNumber(em, n.id, customer.id))) throw new NotFoundError('number');
      await this.audit.record(
        scope,
        {
          action: 'number_released',
          entityType: 'number',
          entityId: n.id,
          customerId: customer.id,
          details: { number: n.number, ownerCustomerId: n.ownerCustomerId },
        },
        em,
      );
    });
  }

  // --- helpers ---------------------------------------------------------------------------------

  private async inventoryPage(em: EntityManager, ownerCustomerId: number, query: InventoryQuery): Promise<Page<NumberDto>> {
    const { page, pageSize, skip } = pageParams(query);
    const [rows, total] = await this.repo.pageInventory(em, ownerCustomerId, {
      free: query.free,
      search: query.search,
      skip,
      take: pageSize,
      order: sortOrder(query.sort, NUMBER_SORTS, 'number'),
    });
    const customerIds = [...new Set(rows.flatMap((r) => (r.customerId !== null ? [r.customerId] : [])))];
    const customers = customerIds.length ? await this.customers.findMany(em, customerIds) : new Map<number, CustomerRef>();
    return {
      items: rows.map((n) => toNumberDto(n, n.customerId !== null ? customers.get(n.customerId) : undefined)),
      page,
      pageSize,
      total,
    };
  }

  /** The inventory's owner, locked until the transaction ends (numbers are added to a live customer only). */
  private async loadInventoryOwner(em: EntityManager, scope: Scope, ownerCustomerId: number): Promise<CustomerRef> {
    const owner = await this.customers.lockLiveInScope(em, scope, ownerCustomerId);
    if (!owner.reseller) throw new BusinessRuleError('only resellers keep a number inventory');
    return owner;
  }

  private newRow(ownerCustomerId: number, number: string, directory: boolean | null): Omit<NumberEntity, 'id'> {
    return { number, ownerCustomerId, customerId: null, sipAccountId: null, directory, createdAt: this.clock.now() };
  }

  /** The unique index is the last word when two people add the same number at the same moment. */
  private async uniqueNumbers<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isUniqueViolation(err)) throw ConflictError.field('number', 'this number already exists');
      throw err;
    }
  }
}

/**
 * Whose inventory a customer's numbers come from. A reseller equipping a customer below it (directly or
 * while switched to it) hands out numbers of the customer's parent; a customer acting for itself (and the
 * system owner, which has no parent) uses its own inventory, never its parent's.
 */
export function sourceInventoryOwner(scope: Scope, customer: Pick<CustomerRef, 'id' | 'parentId' | 'path'>): number {
  if (customer.parentId !== null && ancestorIds(customer.path).includes(scope.personCustomerId)) return customer.parentId;
  return customer.id;
}
