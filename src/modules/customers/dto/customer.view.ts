import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AffiliateBasis, BillingType, CustomerType, InvoiceDetail, InvoiceFormat, PaymentType } from '../entities/customer.entity';

/** Read shapes of the customers API (and of the service, for the admin pages). */

export class BillingAddressView {
  @ApiProperty({ type: String, nullable: true }) line1: string | null;
  @ApiProperty({ type: String, nullable: true }) line2: string | null;
  @ApiProperty({ type: String, nullable: true }) line3: string | null;
  @ApiProperty({ type: String, nullable: true }) city: string | null;
  @ApiProperty({ type: String, nullable: true }) state: string | null;
  @ApiProperty({ type: String, nullable: true }) postcode: string | null;
  @ApiProperty({ type: String, nullable: true }) country: string | null;
}

export class AffiliateView {
  @ApiProperty() customerId: number;
  @ApiProperty({ example: '5.00' }) percentage: string;
  @ApiProperty({ enum: ['revenue', 'profit'] }) basis: AffiliateBasis;
}

/** The values in force after "use the rate plan's value" resolution (never null except dialPlanId). */
export class EffectiveSettingsView {
  @ApiProperty({ description: 'money string or "unlimited"', example: 'unlimited' }) dailySpendLimit: string;
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', enum: ['unlimited'] }] }) maxConcurrentCalls: number | 'unlimited';
  @ApiProperty() externalCallerId: boolean;
  @ApiProperty({ type: Number, nullable: true }) dialPlanId: number | null;
  @ApiProperty() invoiceDueDays: number;
  @ApiProperty() sendInvoices: boolean;
  @ApiProperty({ enum: ['pdf', 'xml'] }) invoiceFormat: string;
  @ApiProperty({ enum: ['summary', 'destinations', 'calls'] }) invoiceDetail: string;
  @ApiProperty() minimumContractMonths: number;
}

export class CustomerView {
  @ApiProperty() id: number;
  @ApiProperty({ type: Number, nullable: true, description: 'null only for the system owner' }) parentId: number | null;
  @ApiProperty({ enum: ['normal', 'residential'] }) type: CustomerType;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true, description: 'residential: its number' }) number: string | null;
  @ApiProperty({ type: String, nullable: true, description: "residential: the person's name" }) personName: string | null;
  @ApiProperty({ type: String, nullable: true, description: "login name of the customer's first administrator" }) username: string | null;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty() email: string;
  @ApiProperty({ type: String, nullable: true }) accountNumber: string | null;
  @ApiProperty() reseller: boolean;
  @ApiProperty() directory: boolean;
  @ApiProperty({ type: String, nullable: true }) prefix: string | null;
  @ApiProperty() lockedWeb: boolean;
  @ApiProperty() lockedCalls: boolean;
  @ApiProperty({ description: 'locked from the web by itself or an ancestor' }) lockedWebEffective: boolean;
  @ApiProperty({ description: 'locked from calls by itself or an ancestor' }) lockedCallsEffective: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'why calls were locked automatically (e.g. daily limit)' }) lockReason:
    string | null;
  @ApiProperty({ type: String, nullable: true, description: 'money string, "unlimited", or null = the rate plan\'s' }) dailySpendLimit:
    string | null;
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', enum: ['unlimited'] }], nullable: true }) maxConcurrentCalls:
    number | 'unlimited' | null;
  @ApiProperty() purgeVoicemail: boolean;
  @ApiProperty({ type: Number, nullable: true }) maxVoicemailsPerFolder: number | null;
  @ApiProperty({ type: Boolean, nullable: true }) externalCallerId: boolean | null;
  @ApiProperty({ type: Number, nullable: true }) regionId: number | null;
  @ApiProperty() timezone: string;
  @ApiProperty({ type: Number, nullable: true }) dialPlanId: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'null only for the system owner' }) ratePlanId: number | null;
  @ApiProperty({ enum: ['prepaid', 'postpaid', 'prepaid_calls', 'prepaid_invoices', 'external', 'none'] }) billingType: BillingType;
  @ApiProperty({ type: String, nullable: true }) billingReference: string | null;
  @ApiProperty({ type: String, nullable: true }) taxReference: string | null;
  @ApiProperty({ enum: ['none', 'cash', 'cheque', 'bank_transfer', 'direct_debit', 'credit_card'] }) paymentType: PaymentType;
  @ApiProperty({ type: Number, nullable: true }) invoiceDueDays: number | null;
  @ApiProperty({ type: Boolean, nullable: true }) sendInvoices: boolean | null;
  @ApiProperty({ enum: ['pdf', 'xml'], nullable: true }) invoiceFormat: InvoiceFormat | null;
  @ApiProperty({ enum: ['summary', 'destinations', 'calls'], nullable: true }) invoiceDetail: InvoiceDetail | null;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ type: Number, nullable: true }) minimumContractMonths: number | null;
  @ApiProperty({ example: '0.00' }) creditLimit: string;
  @ApiProperty({ type: [Number] }) taxIds: number[];
  @ApiProperty({ example: '0.00' }) lowBalanceThreshold: string;
  @ApiProperty() autoTopUp: boolean;
  @ApiProperty({ type: BillingAddressView }) billingAddress: BillingAddressView;
  @ApiProperty({ type: AffiliateView, nullable: true }) affiliate: AffiliateView | null;
  @ApiProperty({ example: '0.00', description: 'how much the parent owes the customer' }) balance: string;
  @ApiProperty() depth: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty() deleted: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deletedAt: string | null;
  @ApiProperty({ type: EffectiveSettingsView }) effective: EffectiveSettingsView;
}

/** The create answer: the customer plus what was made with it. Secrets appear only here, once. */
export class CreatedCustomerView extends CustomerView {
  @ApiProperty({ description: "the customer's administrator person" }) personId: number;
  @ApiPropertyOptional({ type: Number, description: 'residential only' }) sipAccountId?: number;
  @ApiPropertyOptional({ type: Number, description: 'residential only' }) mailboxId?: number;
  @ApiPropertyOptional({ type: Number, description: 'residential only' }) numberId?: number;
  @ApiPropertyOptional({ type: String, description: 'residential only: the generated SIP secret, shown once' }) sipSecret?: string;
  @ApiPropertyOptional({ type: String, description: 'residential only: the generated voicemail PIN, shown once' }) mailboxPin?: string;
}

export class CustomerPageView {
  @ApiProperty({ type: [CustomerView] }) items: CustomerView[];
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
  @ApiProperty() total: number;
}

export class OptionRatePlan {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty() currency: string;
  @ApiProperty() ownerCustomerId: number;
  @ApiProperty({ description: "true when it is shared by an ancestor rather than the parent's own" }) shared: boolean;
}
export class OptionTax {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) percentage: string | null;
  @ApiProperty({ type: String, nullable: true }) flatAmount: string | null;
  @ApiProperty({ type: String, nullable: true }) currency: string | null;
  @ApiProperty({ enum: ['none', 'new', 'all'] }) defaultLiability: string;
  @ApiProperty() ownerCustomerId: number;
}
export class OptionNamed {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
}
export class OptionNumber {
  @ApiProperty() id: number;
  @ApiProperty() number: string;
}
export class OptionAffiliate {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) accountNumber: string | null;
}
export class OptionParent {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty() reseller: boolean;
  @ApiProperty({ description: 'customers may be created under it' }) canHaveCustomers: boolean;
  @ApiProperty() timezone: string;
  @ApiProperty() currency: string;
}
export class OptionSettings {
  @ApiProperty() customerPrefixes: boolean;
  @ApiProperty() regions: boolean;
}
export class OptionEnums {
  @ApiProperty({ type: [String] }) types: string[];
  @ApiProperty({ type: [String] }) billingTypes: string[];
  @ApiProperty({ type: [String] }) paymentTypes: string[];
  @ApiProperty({ type: [String] }) invoiceFormats: string[];
  @ApiProperty({ type: [String] }) invoiceDetails: string[];
  @ApiProperty({ type: [Number] }) contractMonths: number[];
  @ApiProperty({ type: [String] }) affiliateBases: string[];
}
export class OptionDefaults {
  @ApiProperty() timezone: string;
  @ApiProperty() billingType: string;
  @ApiProperty() paymentType: string;
  @ApiProperty() creditLimit: string;
  @ApiProperty() lowBalanceThreshold: string;
  @ApiProperty({ type: [Number], description: 'taxes a new customer gets when taxIds is not given' }) taxIds: number[];
}

/** Everything a customer form needs, for a given parent. */
export class CustomerFormOptions {
  @ApiProperty({ type: OptionParent }) parent: OptionParent;
  @ApiProperty({ type: [OptionRatePlan] }) ratePlans: OptionRatePlan[];
  @ApiProperty({ type: [OptionTax] }) taxes: OptionTax[];
  @ApiProperty({ type: [OptionNamed], description: 'empty unless regions are enabled' }) regions: OptionNamed[];
  @ApiProperty({ type: [OptionNamed] }) dialPlans: (OptionNamed & { ownerCustomerId: number })[];
  @ApiProperty({ type: [OptionNumber], description: 'free numbers of the parent (for residential customers)' }) freeNumbers: OptionNumber[];
  @ApiProperty({ type: [OptionAffiliate], description: 'live customers of the same parent' }) affiliates: OptionAffiliate[];
  @ApiProperty({ type: OptionSettings }) settings: OptionSettings;
  @ApiProperty({ type: [String] }) currencies: string[];
  @ApiProperty({ type: [String] }) timeZones: string[];
  @ApiProperty({ type: OptionEnums }) enums: OptionEnums;
  @ApiProperty({ type: OptionDefaults }) defaults: OptionDefaults;
}
