import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AffiliateBasis, BillingType, CustomerType, InvoiceDetail, InvoiceFormat, PaymentType } from '../entities/customer.entity';

/** Read shapes of the customers API (and of the service, for the admin pages). */

export class BillingAddressView {
  @ApiProperty({ type: String, nullable: true, example: '1 High Street' }) line1: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) line2: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) line3: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'London' }) city: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) state: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'SW1A 1AA' }) postcode: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'GB' }) country: string | null;
}

export class AffiliateView {
  @ApiProperty({ type: 'integer', example: 12 }) customerId: number;
  @ApiProperty({ example: '5.00' }) percentage: string;
  @ApiProperty({ enum: ['revenue', 'profit'] }) basis: AffiliateBasis;
}

/** The values in force after "use the rate plan's value" resolution (never null except dialPlanId). */
export class EffectiveSettingsView {
  @ApiProperty({ description: 'money string or "unlimited"', example: 'unlimited' }) dailySpendLimit: string;
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', enum: ['unlimited'] }] }) maxConcurrentCalls: number | 'unlimited';
  @ApiProperty({ example: false }) externalCallerId: boolean;
  @ApiProperty({ type: 'integer', nullable: true, example: 2 }) dialPlanId: number | null;
  @ApiProperty({ example: 14 }) invoiceDueDays: number;
  @ApiProperty({ example: true }) sendInvoices: boolean;
  @ApiProperty({ enum: ['pdf', 'xml'] }) invoiceFormat: string;
  @ApiProperty({ enum: ['summary', 'destinations', 'calls'] }) invoiceDetail: string;
  @ApiProperty({ example: 0 }) minimumContractMonths: number;
}

export class CustomerView {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null only for the system owner', example: 3 }) parentId: number | null;
  @ApiProperty({ enum: ['normal', 'residential'] }) type: CustomerType;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true, description: 'residential: its number', example: '442079460000' }) number: string | null;
  @ApiProperty({ type: String, nullable: true, description: "residential: the person's name" }) personName: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "login name of the customer's first administrator",
    example: 'ops@acme.example',
  })
  username: string | null;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ example: 'ops@acme.example' }) email: string;
  @ApiProperty({ type: String, nullable: true }) accountNumber: string | null;
  @ApiProperty() reseller: boolean;
  @ApiProperty({ example: false }) directory: boolean;
  @ApiProperty({ type: String, nullable: true, example: '4420' }) prefix: string | null;
  @ApiProperty() lockedWeb: boolean;
  @ApiProperty() lockedCalls: boolean;
  @ApiProperty({ description: 'locked from the web by itself or an ancestor' }) lockedWebEffective: boolean;
  @ApiProperty({ description: 'locked from calls by itself or an ancestor' }) lockedCallsEffective: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'why calls were locked automatically (e.g. daily limit)' }) lockReason:
    string | null;
  @ApiProperty({ type: String, nullable: true, description: 'money string, "unlimited", or null = the rate plan\'s', example: '50.00' })
  dailySpendLimit: string | null;
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', enum: ['unlimited'] }], nullable: true }) maxConcurrentCalls:
    number | 'unlimited' | null;
  @ApiProperty() purgeVoicemail: boolean;
  @ApiProperty({ type: Number, nullable: true }) maxVoicemailsPerFolder: number | null;
  @ApiProperty({ type: Boolean, nullable: true, example: null }) externalCallerId: boolean | null;
  @ApiProperty({ type: 'integer', nullable: true }) regionId: number | null;
  @ApiProperty() timezone: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 2 }) dialPlanId: number | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null only for the system owner', example: 4 }) ratePlanId: number | null;
  @ApiProperty({ enum: ['prepaid', 'postpaid', 'prepaid_calls', 'prepaid_invoices', 'external', 'none'] }) billingType: BillingType;
  @ApiProperty({ type: String, nullable: true, example: null }) billingReference: string | null;
  @ApiProperty({ type: String, nullable: true }) taxReference: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'https URL of its logo (login-details emails)', example: null }) logoUrl: string | null;
  @ApiProperty({ enum: ['none', 'cash', 'cheque', 'bank_transfer', 'direct_debit', 'credit_card'] }) paymentType: PaymentType;
  @ApiProperty({ type: Number, nullable: true, example: 14 }) invoiceDueDays: number | null;
  @ApiProperty({ type: Boolean, nullable: true, example: true }) sendInvoices: boolean | null;
  @ApiProperty({ enum: ['pdf', 'xml'], nullable: true }) invoiceFormat: InvoiceFormat | null;
  @ApiProperty({ enum: ['summary', 'destinations', 'calls'], nullable: true }) invoiceDetail: InvoiceDetail | null;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ type: Number, nullable: true, example: 0 }) minimumContractMonths: number | null;
  @ApiProperty({ example: '0.00' }) creditLimit: string;
  @ApiProperty({ type: [Number] }) taxIds: number[];
  @ApiProperty({ example: '0.00' }) lowBalanceThreshold: string;
  @ApiProperty() autoTopUp: boolean;
  @ApiProperty({ type: BillingAddressView }) billingAddress: BillingAddressView;
  @ApiProperty({ type: AffiliateView, nullable: true }) affiliate: AffiliateView | null;
  @ApiProperty({ example: '0.00', description: 'how much the parent owes the customer' }) balance: string;
  @ApiProperty() depth: number;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) updatedAt: string;
  @ApiProperty() deleted: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deletedAt: string | null;
  @ApiProperty({ type: EffectiveSettingsView }) effective: EffectiveSettingsView;
}

/** The create answer: the customer plus what was made with it. Secrets appear only here, once. */
export class CreatedCustomerView extends CustomerView {
  @ApiProperty({ type: 'integer', description: "the customer's administrator person", example: 5 }) personId: number;
  @ApiPropertyOptional({ type: 'integer', description: 'residential only', example: 9 }) sipAccountId?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'residential only', example: 3 }) mailboxId?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'residential only', example: 7 }) numberId?: number;
  @ApiPropertyOptional({ type: String, description: 'residential only: the generated SIP secret, shown once' }) sipSecret?: string;
  @ApiPropertyOptional({ type: String, description: 'residential only: the generated voicemail PIN, shown once' }) mailboxPin?: string;
}

export class CustomerPageView {
  @ApiProperty({ type: [CustomerView] }) items: CustomerView[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}

export class OptionRatePlan {
  @ApiProperty({ type: 'integer', example: 4 }) id: number;
  @ApiProperty({ example: 'Retail EUR' }) name: string;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ type: 'integer', example: 1 }) ownerCustomerId: number;
  @ApiProperty({ description: "true when it is shared by an ancestor rather than the parent's own", example: false }) shared: boolean;
}
export class OptionTax {
  @ApiProperty({ type: 'integer', example: 2 }) id: number;
  @ApiProperty({ example: 'VAT' }) name: string;
  @ApiProperty({ type: String, nullable: true, example: '20.00' }) percentage: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) flatAmount: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) currency: string | null;
  @ApiProperty({ enum: ['none', 'new', 'all'], example: 'new' }) defaultLiability: string;
  @ApiProperty({ type: 'integer', example: 1 }) ownerCustomerId: number;
}
export class OptionNamed {
  @ApiProperty({ type: 'integer', example: 2 }) id: number;
  @ApiProperty({ example: 'London' }) name: string;
}
export class OptionDialPlan extends OptionNamed {
  @ApiProperty({ type: 'integer', description: 'the reseller (or system owner) that owns the dial plan', example: 1 })
  ownerCustomerId: number;
}
export class OptionNumber {
  @ApiProperty({ type: 'integer', example: 7 }) id: number;
  @ApiProperty({ example: '442079460000' }) number: string;
}
export class OptionAffiliate {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ example: 'Acme Ltd' }) name: string;
  @ApiProperty({ type: String, nullable: true, example: 'A-1001' }) accountNumber: string | null;
}
export class OptionParent {
  @ApiProperty({ type: 'integer', example: 3 }) id: number;
  @ApiProperty({ example: 'Reseller One' }) name: string;
  @ApiProperty({ example: true }) reseller: boolean;
  @ApiProperty({ description: 'customers may be created under it', example: true }) canHaveCustomers: boolean;
  @ApiProperty({ example: 'Europe/London' }) timezone: string;
  @ApiProperty({ example: 'EUR' }) currency: string;
}
export class OptionSettings {
  @ApiProperty({ example: false }) customerPrefixes: boolean;
  @ApiProperty({ example: true }) regions: boolean;
}
export class OptionEnums {
  @ApiProperty({ type: [String], example: ['normal', 'residential'] }) types: string[];
  @ApiProperty({ type: [String], example: ['prepaid', 'postpaid'] }) billingTypes: string[];
  @ApiProperty({ type: [String], example: ['none', 'cash'] }) paymentTypes: string[];
  @ApiProperty({ type: [String], example: ['pdf', 'xml'] }) invoiceFormats: string[];
  @ApiProperty({ type: [String], example: ['summary', 'destinations', 'calls'] }) invoiceDetails: string[];
  @ApiProperty({ type: [Number], example: [0, 1, 3, 6, 12, 18, 24, 36] }) contractMonths: number[];
  @ApiProperty({ type: [String], example: ['revenue', 'profit'] }) affiliateBases: string[];
}
export class OptionDefaults {
  @ApiProperty({ example: 'Europe/London' }) timezone: string;
  @ApiProperty({ example: 'prepaid' }) billingType: string;
  @ApiProperty({ example: 'none' }) paymentType: string;
  @ApiProperty({ example: '0.00' }) creditLimit: string;
  @ApiProperty({ example: '0.00' }) lowBalanceThreshold: string;
  @ApiProperty({ type: [Number], description: 'taxes a new customer gets when taxIds is not given', example: [2] }) taxIds: number[];
}

/** Everything a customer form needs, for a given parent. */
export class CustomerFormOptions {
  @ApiProperty({ type: OptionParent }) parent: OptionParent;
  @ApiProperty({ type: [OptionRatePlan] }) ratePlans: OptionRatePlan[];
  @ApiProperty({ type: [OptionTax] }) taxes: OptionTax[];
  @ApiProperty({ type: [OptionNamed], description: 'empty unless regions are enabled' }) regions: OptionNamed[];
  @ApiProperty({ type: [OptionDialPlan] }) dialPlans: OptionDialPlan[];
  @ApiProperty({ type: [OptionNumber], description: 'free numbers of the parent (for residential customers)' }) freeNumbers: OptionNumber[];
  @ApiProperty({ type: [OptionAffiliate], description: 'live customers of the same parent' }) affiliates: OptionAffiliate[];
  @ApiProperty({ type: OptionSettings }) settings: OptionSettings;
  @ApiProperty({ type: [String], example: ['EUR', 'GBP', 'USD'] }) currencies: string[];
  @ApiProperty({ type: [String], example: ['Europe/London', 'UTC'] }) timeZones: string[];
  @ApiProperty({ type: OptionEnums }) enums: OptionEnums;
  @ApiProperty({ type: OptionDefaults }) defaults: OptionDefaults;
}
