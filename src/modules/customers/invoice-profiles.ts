import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull, MoreThan, MoreThanOrEqual, Not } from 'typeorm';
import type { InvoiceDetail, InvoiceFormat } from '../rate-plans/domain/plan-level-settings';
import { CustomerEntity, type BillingType } from './entities/customer.entity';

/** A party on an invoice: the issuing parent or the invoiced customer, as the document shows it. */
export interface InvoiceParty {
  id: number;
  name: string;
  email: string;
  taxReference: string | null;
  address: {
    line1: string | null;
    line2: string | null;
    line3: string | null;
    city: string | null;
    state: string | null;
    postcode: string | null;
    country: string | null;
  };
}

/** What the invoice run needs of a customer it may invoice. Null settings mean "the rate plan's value". */
export interface InvoiceProfile extends InvoiceParty {
  parentId: number;
  timezone: string;
  currency: string;
  billingType: BillingType;
  ratePlanId: number | null;
  createdAt: Date;
  invoiceDueDays: number | null;
  sendInvoices: boolean | null;
  invoiceFormat: InvoiceFormat | null;
  invoiceDetail: InvoiceDetail | null;
  /** Own minimum contract in months; null: the plan's. */
  minimumContractMonths: number | null;
  /** When it was deleted; its last period is still invoiced, and an unfinished minimum contract charged. */
  deletedAt: Date | null;
}

/** Billing types that are invoiced (DOMAIN.md §4): `external` and `none` never are. */
export const INVOICED_BILLING_TYPES: readonly BillingType[] = ['prepaid', 'postpaid', 'prepaid_calls', 'prepaid_invoices'];

const PARTY_SELECT = {
  id: true,
  name: true,
  email: true,
  taxReference: true,
  addressLine1: true,
  addressLine2: true,
  addressLine3: true,
  addressCity: true,
  addressState: true,
  addressPostcode: true,
  addressCountry: true,
} as const;

function toParty(c: Pick<CustomerEntity, keyof typeof PARTY_SELECT>): InvoiceParty {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    taxReference: c.taxReference,
    address: {
      line1: c.addressLine1,
      line2: c.addressLine2,
      line3: c.addressLine3,
      city: c.addressCity,
      state: c.addressState,
      postcode: c.addressPostcode,
      country: c.addressCountry,
    },
  };
}

/** The customers module's reads for invoicing (exported through CustomersApi). */
@Injectable()
export class InvoiceProfiles {
  /**
   * Invoiced customers (every customer but the system owner) after `afterId`, by id, at most `limit`: live
   * ones, and with `deletedSince` also those deleted at or after it (their last period is still invoiced).
   */
  async page(em: EntityManager, afterId: number, limit: number, deletedSince?: Date): Promise<InvoiceProfile[]> {
    const base = { id: MoreThan(afterId), parentId: Not(IsNull()), billingType: In([...INVOICED_BILLING_TYPES]) };
    const rows = await em.find(CustomerEntity, {
      where: deletedSince ? [{ ...base, deletedAt: IsNull() }, { ...base, deletedAt: MoreThanOrEqual(deletedSince) }] : { ...base, deletedAt: IsNull() },
      select: {
        ...PARTY_SELECT,
        parentId: true,
        timezone: true,
        currency: true,
        billingType: true,
        ratePlanId: true,
        createdAt: true,
        invoiceDueDays: true,
        sendInvoices: true,
        invoiceFormat: true,
        invoiceDetail: true,
        minimumContractMonths: true,
        deletedAt: true,
      },
      order: { id: 'ASC' },
      take: Math.max(1, Math.floor(limit)),
    });
    return rows.map((c) => ({
      ...toParty(c),
      parentId: c.parentId!,
      timezone: c.timezone,
      currency: c.currency,
      billingType: c.billingType,
      ratePlanId: c.ratePlanId,
      createdAt: c.createdAt,
      invoiceDueDays: c.invoiceDueDays,
      sendInvoices: c.sendInvoices === null ? null : !!c.sendInvoices,
      invoiceFormat: c.invoiceFormat,
      invoiceDetail: c.invoiceDetail,
      minimumContractMonths: c.minimumContractMonths,
      deletedAt: c.deletedAt,
    }));
  }

  /** How many customers `page` walks through (the run's total, for its progress). */
  count(em: EntityManager, deletedSince?: Date): Promise<number> {
    const base = { parentId: Not(IsNull()), billingType: In([...INVOICED_BILLING_TYPES]) };
    return em.count(CustomerEntity, {
      where: deletedSince ? [{ ...base, deletedAt: IsNull() }, { ...base, deletedAt: MoreThanOrEqual(deletedSince) }] : { ...base, deletedAt: IsNull() },
    });
  }

  /** Parties by id (deleted customers too: an issued invoice names who it was). */
  async parties(em: EntityManager, ids: readonly number[]): Promise<Map<number, InvoiceParty>> {
    const unique = [...new Set(ids)].filter((id) => Number.isSafeInteger(id) && id > 0);
    if (!unique.length) return new Map();
    const rows = await em.find(CustomerEntity, { where: { id: In(unique) }, select: PARTY_SELECT });
    return new Map(rows.map((r) => [r.id, toParty(r)]));
  }
}
