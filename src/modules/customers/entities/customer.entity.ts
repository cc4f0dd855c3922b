import { Column, Entity, ForeignKey, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DecimalColumn, MoneyColumn, TimestampColumn } from '../../../database/columns';
import type { Money } from '../../../shared/money';
import type Decimal from 'decimal.js';
import { type InvoiceDetail, type InvoiceFormat } from '../../rate-plans/domain/plan-level-settings';

export {
  CONTRACT_MONTHS,
  INVOICE_DETAILS,
  INVOICE_FORMATS,
  type InvoiceDetail,
  type InvoiceFormat,
} from '../../rate-plans/domain/plan-level-settings';

export const CUSTOMER_TYPES = ['normal', 'residential'] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];
export const BILLING_TYPES = ['prepaid', 'postpaid', 'prepaid_calls', 'prepaid_invoices', 'external', 'none'] as const;
export type BillingType = (typeof BILLING_TYPES)[number];
export const PAYMENT_TYPES = ['none', 'cash', 'cheque', 'bank_transfer', 'direct_debit', 'credit_card'] as const;
export type PaymentType = (typeof PAYMENT_TYPES)[number];
export const AFFILIATE_BASES = ['revenue', 'profit'] as const;
export type AffiliateBasis = (typeof AFFILIATE_BASES)[number];

/** Stored in `dailySpendLimit` / `maxConcurrentCalls` for "unlimited"; null means "the rate plan's value". */
export const UNLIMITED = -1;

@Entity('customers')
// On SQLite the migration builds it on (parent_id, account_number COLLATE NOCASE): unique ignoring case, as on MariaDB.
@Index('IDX_customers_parent_account', ['parentId', 'accountNumber'], { unique: true })
@Index('IDX_customers_prefix', ['prefix'], { unique: true })
@Index('IDX_customers_path', ['path'])
// Lists and searches of a parent's children read only this index (CustomersRepository.list).
@Index('IDX_customers_parent_live', ['parentId', 'deletedAt', 'name', 'id', 'searchText'])
@Index('IDX_customers_search_unindexed', ['searchUnindexed'])
export class CustomerEntity {
  @PrimaryGeneratedColumn() id: number;

  @Column({ type: 'int', nullable: true }) parentId: number | null;
  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id' })
  parent?: CustomerEntity;

  /** Materialised path of ids from the root to this customer, e.g. "/1/5/9/": subtree = path LIKE '/1/5/%'. */
  @Column({ type: 'varchar', length: 700 }) path: string;
  @Column({ type: 'int' }) depth: number;

  @Column({ type: 'varchar', length: 16 }) type: CustomerType;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 500, nullable: true }) description: string | null;
  @Column({ type: 'varchar', length: 254 }) email: string;
  @Column({ type: 'varchar', length: 32, nullable: true }) accountNumber: string | null;
  @Column({ type: 'boolean', default: false }) reseller: boolean;
  @Column({ type: 'boolean', default: false }) directory: boolean;
  @Column({ type: 'varchar', length: 16, nullable: true }) prefix: string | null;
  @Column({ type: 'boolean', default: false }) lockedWeb: boolean;
  @Column({ type: 'boolean', default: false }) lockedCalls: boolean;
  @Column({ type: 'varchar', length: 200, nullable: true }) lockReason: string | null;
  /** Micro-units; UNLIMITED (-1) = unlimited; null = rate plan's. */
  @Column({ type: 'bigint', nullable: true }) dailySpendLimitMicros: string | number | null;
  @Column({ type: 'int', nullable: true }) maxConcurrentCalls: number | null;
  @Column({ type: 'boolean', default: false }) purgeVoicemail: boolean;
  @Column({ type: 'int', nullable: true }) maxVoicemailsPerFolder: number | null;
  @Column({ type: 'boolean', nullable: true }) externalCallerId: boolean | null;
  @Column({ type: 'int', nullable: true }) regionId: number | null;
  @Column({ type: 'varchar', length: 64 }) timezone: string;
  @Column({ type: 'int', nullable: true }) dialPlanId: number | null;

  /** The rate plan (rate-plans module), by id: a foreign key by entity name, not a relation into that module. */
  @Column({ type: 'int', nullable: true })
  @ForeignKey('RatePlanEntity', { onDelete: 'RESTRICT' })
  ratePlanId: number | null;

  @Column({ type: 'varchar', length: 20 }) billingType: BillingType;
  @Column({ type: 'varchar', length: 100, nullable: true }) billingReference: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) taxReference: string | null;
  /** Its logo (https only), shown in the login-details emails it issues to its customers. */
  @Column({ type: 'varchar', length: 500, nullable: true }) logoUrl: string | null;
  @Column({ type: 'varchar', length: 20 }) paymentType: PaymentType;
  @Column({ type: 'int', nullable: true }) invoiceDueDays: number | null;
  @Column({ type: 'boolean', nullable: true }) sendInvoices: boolean | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) invoiceFormat: InvoiceFormat | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) invoiceDetail: InvoiceDetail | null;
  @Column({ type: 'varchar', length: 3 }) currency: string;
  @Column({ type: 'int', nullable: true }) minimumContractMonths: number | null;
  @MoneyColumn() creditLimit: Money;
  @MoneyColumn() lowBalanceThreshold: Money;
  @Column({ type: 'boolean', default: false }) autoTopUp: boolean;
  // The balance is billing's (table balances), read through the kernel port BalanceDirectory.

  @Column({ type: 'varchar', length: 100, nullable: true }) addressLine1: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) addressLine2: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) addressLine3: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) addressCity: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) addressState: string | null;
  @Column({ type: 'varchar', length: 20, nullable: true }) addressPostcode: string | null;
  @Column({ type: 'varchar', length: 2, nullable: true }) addressCountry: string | null;

  @Column({ type: 'int', nullable: true }) affiliateCustomerId: number | null;
  @DecimalColumn({ nullable: true }) affiliatePercentage: Decimal | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) affiliateBasis: AffiliateBasis | null;

  @TimestampColumn({ nullable: true }) deletedAt: Date | null;
  /**
   * While deleted, the account number and prefix move here (the live columns are unique and may be
   * reused by another customer); undelete moves them back if they are still free.
   */
  @Column({ type: 'varchar', length: 32, nullable: true }) deletedAccountNumber: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) deletedPrefix: string | null;
  @TimestampColumn() createdAt: Date;
  @TimestampColumn() updatedAt: Date;

  /**
   * What a search compares with: name, account number, email, description and billing reference, lower-cased
   * (domain/customer-search.ts). Kept by CustomersRepository on every insert and update of those fields.
   * Null when it would exceed SEARCH_TEXT_MAX characters (the index's limit); then `searchUnindexed` is set.
   */
  @Column({ type: 'varchar', length: 640, nullable: true, select: false }) searchText?: string | null;
  /**
   * True while `searchText` does not hold the row's text (too long, or the row was written by code that
   * does not keep it: the default). Searches test such rows on their columns instead.
   */
  @Column({ type: 'boolean', default: true, select: false }) searchUnindexed?: boolean;
}

@Entity('customer_taxes')
export class CustomerTaxEntity {
  @Column({ type: 'int', primary: true }) customerId: number;
  @Column({ type: 'int', primary: true }) taxId: number;
}
