import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BalanceDirectory } from '../../shared/balance-directory';
import { ancestorIds } from '../../shared/customer-directory';
import { isInSubtree, type Scope } from '../../shared/scope';
import { Dec, Money } from '../../shared/money';
import { IdentityApi } from '../identity/identity.api';
import { concurrentLimitFromStored, effectiveSettings, spendLimitFromMicros, type Limit } from '../rate-plans/domain/plan-level-settings';
import { RatePlansApi, type PlanRow } from '../rate-plans/rate-plans.api';
import { SystemApi } from '../system/system.api';
import { TaxesApi } from '../taxes/taxes.api';
import { CustomersRepository, type NewParent } from './customers.repository';
import type { CustomerView } from './dto/customer.view';
import type { CustomerEntity } from './entities/customer.entity';

export function limitText(v: Limit<Money> | null): string | null {
  return v === null ? null : v === 'unlimited' ? 'unlimited' : v.toString();
}

/** What a customer's view needs besides its row. */
interface ViewContext {
  taxIds: number[];
  /** Its rate plan and what that inherits from. */
  plans: ReadonlyMap<number, PlanRow>;
  /** Lock flags of its ancestors. */
  locks: ReadonlyMap<number, { lockedWeb: boolean; lockedCalls: boolean }>;
  /** Its first administrator. */
  admin: { username: string; displayName: string } | null;
  /** Its balance (billing's, through the kernel port BalanceDirectory). */
  balance: Money;
}

/** The API read shape of a customer row. */
export function toView(c: CustomerEntity, { taxIds, plans, locks, admin, balance }: ViewContext): CustomerView {
  const ancestors = ancestorIds(c.path).map((id) => locks.get(id));
  const eff = effectiveSettings(c, c.ratePlanId, plans);
  const deleted = c.deletedAt !== null;
  return {
    id: c.id,
    parentId: c.parentId,
    type: c.type,
    name: c.name,
    number: c.type === 'residential' ? c.name : null,
    personName: c.type === 'residential' ? (admin?.displayName ?? null) : null,
    username: admin?.username ?? null,
    description: c.description,
    email: c.email,
    accountNumber: deleted ? (c.deletedAccountNumber ?? c.accountNumber) : c.accountNumber,
    reseller: !!c.reseller,
    directory: !!c.directory,
    prefix: deleted ? (c.deletedPrefix ?? c.prefix) : c.prefix,
    lockedWeb: !!c.lockedWeb,
    lockedCalls: !!c.lockedCalls,
    lockedWebEffective: !!c.lockedWeb || ancestors.some((a) => a?.lockedWeb),
    lockedCallsEffective: !!c.lockedCalls || ancestors.some((a) => a?.lockedCalls),
    lockReason: c.lockReason,
    dailySpendLimit: limitText(spendLimitFromMicros(c.dailySpendLimitMicros)),
    maxConcurrentCalls: concurrentLimitFromStored(c.maxConcurrentCalls),
    purgeVoicemail: !!c.purgeVoicemail,
    maxVoicemailsPerFolder: c.maxVoicemailsPerFolder,
    externalCallerId: c.externalCallerId === null ? null : !!c.externalCallerId,
    regionId: c.regionId,
    timezone: c.timezone,
    dialPlanId: c.dialPlanId,
    ratePlanId: c.ratePlanId,
    billingType: c.billingType,
    billingReference: c.billingReference,
    taxReference: c.taxReference,
    logoUrl: c.logoUrl,
    paymentType: c.paymentType,
    invoiceDueDays: c.invoiceDueDays,
    sendInvoices: c.sendInvoices === null ? null : !!c.sendInvoices,
    invoiceFormat: c.invoiceFormat,
    invoiceDetail: c.invoiceDetail,
    currency: c.currency,
    minimumContractMonths: c.minimumContractMonths,
    creditLimit: c.creditLimit.toString(),
    taxIds,
    lowBalanceThreshold: c.lowBalanceThreshold.toString(),
    autoTopUp: !!c.autoTopUp,
    billingAddress: {
      line1: c.addressLine1,
      line2: c.addressLine2,
      line3: c.addressLine3,
      city: c.addressCity,
      state: c.addressState,
      postcode: c.addressPostcode,
      country: c.addressCountry,
    },
    affiliate:
      c.affiliateCustomerId === null
        ? null
        : {
            customerId: c.affiliateCustomerId,
            percentage: Money.of(c.affiliatePercentage ?? new Dec(0)).toString(),
            basis: c.affiliateBasis ?? 'revenue',
          },
    balance: balance.toString(),
    depth: c.depth,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    deleted,
    deletedAt: c.deletedAt?.toISOString() ?? null,
    effective: {
      dailySpendLimit: limitText(eff.dailySpendLimit)!,
      maxConcurrentCalls: eff.maxConcurrentCalls,
      externalCallerId: eff.externalCallerId,
      dialPlanId: eff.dialPlanId,
      invoiceDueDays: eff.invoiceDueDays,
      sendInvoices: eff.sendInvoices,
      invoiceFormat: eff.invoiceFormat,
      invoiceDetail: eff.invoiceDetail,
      minimumContractMonths: eff.minimumContractMonths,
    },
  };
}

/** Something a page names: its name, and a link when the viewer may open it (else null). */
export interface NamedRef {
  name: string;
  href: string | null;
}

/** The names a customer's page shows for the ids it holds. */
export interface CustomerReferences {
  parent: NamedRef | null;
  ratePlan: NamedRef | null;
  affiliate: NamedRef | null;
  /** Names of the parent's taxes, dial plans and the regions, for a viewer who cannot read the parent's lists. */
  lists: { taxes: IdName[]; dialPlans: IdName[]; regions: IdName[] };
}
type IdName = { id: number; name: string };

/** What a create wrote and read, enough to answer without reading the customer back. */
export interface CreatedCustomerRows {
  customer: CustomerEntity;
  parent: NewParent;
  plan: PlanRow;
  taxIds: number[];
  username: string;
  displayName: string;
}

/** The API read shapes of customer rows: the few reads a batch of views needs besides the rows. */
@Injectable()
export class CustomerViews {
  constructor(
    private readonly repo: CustomersRepository,
    private readonly ratePlans: RatePlansApi,
    private readonly identity: IdentityApi,
    private readonly balances: BalanceDirectory,
    private readonly system: SystemApi,
    private readonly taxes: TaxesApi,
  ) {}

  /** API read shapes for a batch of rows (a handful of queries for the whole batch). */
  async views(em: EntityManager, rows: CustomerEntity[]): Promise<CustomerView[]> {
    const ids = rows.map((c) => c.id);
    const [taxIds, plans, locks, admins, balances] = await Promise.all([
      this.repo.taxIdsOf(em, ids),
      this.ratePlans.plansWithAncestors(
        em,
        rows.map((c) => c.ratePlanId).filter((p): p is number => p !== null),
      ),
      this.repo.lockFlags(
        em,
        rows.flatMap((c) => ancestorIds(c.path)),
      ),
      this.identity.firstAdministrators(em, ids),
      this.balances.balancesOf(em, ids),
    ]);
    return rows.map((c) =>
      toView(c, {
        taxIds: taxIds.get(c.id) ?? [],
        plans,
        locks,
        admin: admins.get(c.id) ?? null,
        balance: balances.get(c.id) ?? Money.ZERO,
      }),
    );
  }

  /**
   * Names for the customer, plan and affiliate a customer's page refers to, each linked only when the
   * viewer may open it: a customer in the viewer's branch; a plan owned in the branch or shared with
   * the customer the viewer acts for. Acting as a customer, its parent, its plan (its parent's) and its
   * affiliate (a sibling) are named but not linked.
   */
  async references(scope: Scope, c: CustomerView): Promise<CustomerReferences> {
    const em = this.repo.reader;
    const customerRef = async (id: number | null): Promise<NamedRef | null> => {
      if (id === null) return null;
      const row = await this.repo.findById(em, id);
      if (!row) return null;
      return { name: row.name, href: isInSubtree(scope.customerPath, row.path) ? `/customers/${row.id}` : null };
    };
    const planRef = async (id: number | null): Promise<NamedRef | null> => {
      if (id === null) return null;
      const plan = await this.ratePlans.findPlan(em, id);
      if (!plan) return null;
      const owner = await this.repo.findById(em, plan.ownerCustomerId);
      let visible = !!owner && isInSubtree(scope.customerPath, owner.path);
      if (!visible && !plan.deleted) {
        const acting = await this.repo.findById(em, scope.customerId);
        visible = !!acting && (await this.ratePlans.listAssignablePlans(em, acting)).some((p) => p.id === id);
      }
      return { name: plan.name, href: visible ? `/rate-plans/${id}` : null };
    };
    const lists = async (): Promise<CustomerReferences['lists']> => {
      const owner = c.parentId === null ? null : await this.repo.findById(em, c.parentId);
      const ownerOrSelf = owner ?? { id: c.id, path: `/${c.id}/` };
      const [taxes, dialPlans, regions] = await Promise.all([
        c.taxIds.length ? this.taxes.usableTaxes(em, ownerOrSelf, c.taxIds) : Promise.resolve([]),
        c.dialPlanId !== null || c.effective.dialPlanId !== null ? this.system.usableDialPlans(em, ownerOrSelf.path) : Promise.resolve([]),
        c.regionId !== null ? this.system.regions(em) : Promise.resolve([]),
      ]);
      const idName = (x: { id: number; name: string }): IdName => ({ id: x.id, name: x.name });
      return { taxes: taxes.map(idName), dialPlans: dialPlans.map(idName), regions: regions.map(idName) };
    };
    const [parent, ratePlan, affiliate, named] = await Promise.all([
      customerRef(c.parentId),
      planRef(c.ratePlanId),
      customerRef(c.affiliate?.customerId ?? null),
      lists(),
    ]);
    return { parent, ratePlan, affiliate, lists: named };
  }

  /**
   * The answer to a create, from what the transaction wrote and read: only what it did not read yet (the
   * plan's ancestors, the lock flags of ancestors above the parent) is queried. Same shape as GET.
   */
  async createdView(made: CreatedCustomerRows): Promise<CustomerView> {
    const { customer, parent, plan } = made;
    const [plans, locks] = await Promise.all([
      plan.inheritsFromId === null
        ? new Map<number, PlanRow>()
        : this.ratePlans.plansWithAncestors(this.repo.reader, [plan.inheritsFromId]),
      this.repo.lockFlags(this.repo.reader, ancestorIds(parent.path)),
    ]);
    plans.set(plan.id, plan);
    locks.set(parent.id, { lockedWeb: !!parent.lockedWeb, lockedCalls: !!parent.lockedCalls });
    // A new customer has nothing posted yet: its balance is 0.
    return toView(customer, {
      taxIds: made.taxIds,
      plans,
      locks,
      admin: { username: made.username, displayName: made.displayName },
      balance: Money.ZERO,
    });
  }
}
