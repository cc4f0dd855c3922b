import { Injectable } from '@nestjs/common';
import { Money } from '../../shared/money';
import type { Scope } from '../../shared/scope';
import { currencyCodes, timeZoneNames } from '../../shared/validation';
import { RatePlansApi } from '../rate-plans/rate-plans.api';
import { SystemApi } from '../system/system.api';
import { TaxesApi } from '../taxes/taxes.api';
import { TelephonyApi } from '../telephony/telephony.api';
import { CustomersRepository } from './customers.repository';
import { CUSTOMER_DEFAULTS } from './customer-defaults';
import type { CustomerFormOptions } from './dto/customer.view';
import {
  AFFILIATE_BASES,
  BILLING_TYPES,
  CONTRACT_MONTHS,
  CUSTOMER_TYPES,
  INVOICE_DETAILS,
  INVOICE_FORMATS,
  PAYMENT_TYPES,
} from './entities/customer.entity';

/** The option lists a customer form needs (API `GET /customers/form-options` and the pages). */
@Injectable()
export class CustomerFormOptionsService {
  constructor(
    private readonly repo: CustomersRepository,
    private readonly ratePlans: RatePlansApi,
    private readonly system: SystemApi,
    private readonly taxes: TaxesApi,
    private readonly telephony: TelephonyApi,
  ) {}

  async formOptions(scope: Scope, parentId?: number): Promise<CustomerFormOptions> {
    const em = this.repo.reader;
    const parent = await this.repo.findInScope(em, scope, parentId ?? scope.customerId);
    const settings = await this.system.settings(em);
    const [plans, taxes, regions, dialPlans, numbers, children] = await Promise.all([
      this.ratePlans.listAssignablePlans(em, parent),
      this.taxes.usableTaxes(em, parent),
      settings.regions ? this.system.regions(em) : Promise.resolve([]),
      this.system.usableDialPlans(em, parent.path),
      this.telephony.freeNumbers(em, parent.id),
      this.repo.liveChildren(em, parent.id),
    ]);
    return {
      parent: {
        id: parent.id,
        name: parent.name,
        reseller: !!parent.reseller,
        canHaveCustomers: !!parent.reseller || parent.parentId === null,
        timezone: parent.timezone,
        currency: parent.currency,
      },
      ratePlans: plans.map((p) => ({
        id: p.id,
        name: p.name,
        currency: p.currency,
        ownerCustomerId: p.ownerCustomerId,
        shared: p.ownerCustomerId !== parent.id,
      })),
      taxes: taxes.map((t) => ({
        id: t.id,
        name: t.name,
        percentage: t.percentage === null ? null : Money.of(t.percentage).toString(),
        flatAmount: t.flatAmount?.toString() ?? null,
        currency: t.currency,
        defaultLiability: t.defaultLiability,
        ownerCustomerId: t.ownerCustomerId,
      })),
      regions: regions.map((r) => ({ id: r.id, name: r.name })),
      dialPlans: dialPlans.map((d) => ({ id: d.id, name: d.name, ownerCustomerId: d.ownerCustomerId })),
      freeNumbers: numbers.map((n) => ({ id: n.id, number: n.number })),
      affiliates: children.map((c) => ({ id: c.id, name: c.name, accountNumber: c.accountNumber })),
      settings: { customerPrefixes: !!settings.customerPrefixes, regions: !!settings.regions },
      currencies: currencyCodes(),
      timeZones: timeZoneNames(),
      enums: {
        types: [...CUSTOMER_TYPES],
        billingTypes: [...BILLING_TYPES],
        paymentTypes: [...PAYMENT_TYPES],
        invoiceFormats: [...INVOICE_FORMATS],
        invoiceDetails: [...INVOICE_DETAILS],
        contractMonths: [...CONTRACT_MONTHS],
        affiliateBases: [...AFFILIATE_BASES],
      },
      defaults: {
        timezone: parent.timezone,
        billingType: CUSTOMER_DEFAULTS.billingType,
        paymentType: CUSTOMER_DEFAULTS.paymentType,
        creditLimit: CUSTOMER_DEFAULTS.creditLimit,
        lowBalanceThreshold: CUSTOMER_DEFAULTS.lowBalanceThreshold,
        taxIds: taxes.filter((t) => t.defaultLiability === 'new' || t.defaultLiability === 'all').map((t) => t.id),
      },
    };
  }
}
