import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { MoneyColumn } from '../../../../database/columns';
import type { Money } from '../../../../shared/money';

/**
 * A call at one level of the tree: `charge` levels are debited (their reservation is held while the call
 * is up), `free` levels are rated but not debited (billing type external or none), the `cost` level is the
 * system owner's cost (recorded for profit, nobody is debited). `counted` marks the levels whose
 * concurrent-call count the call holds.
 */
@Entity('call_levels')
@Index('IDX_call_levels_customer', ['customerId', 'callId'])
export class CallLevelEntity {
  @PrimaryColumn({ type: 'int' })
  @ForeignKey('CallEntity', { onDelete: 'CASCADE' })
  callId: number;
  @PrimaryColumn({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  customerId: number;
  /** 0 = the calling customer, 1 = its parent, ...; the cost level comes last. */
  @Column({ type: 'int' }) depth: number;
  @Column({ type: 'varchar', length: 8 }) kind: 'charge' | 'free' | 'cost';
  @Column({ type: 'boolean', default: false }) counted: boolean;
  /** Reserved of this level's balance while the call is active (customer currency). */
  @MoneyColumn({ default: 0 }) reserved: Money;
  /** The price at this level once ended (positive; debited for `charge` levels), in `currency`. */
  @MoneyColumn({ nullable: true }) amount: Money | null;
  @Column({ type: 'varchar', length: 3, nullable: true }) currency: string | null;
  @MoneyColumn({ nullable: true }) originalAmount: Money | null;
  @Column({ type: 'varchar', length: 3, nullable: true }) originalCurrency: string | null;
  @Column({ type: 'varchar', length: 40, nullable: true }) exchangeRate: string | null;
  @Column({ type: 'int', nullable: true }) ratePlanId: number | null;
  @Column({ type: 'int', nullable: true }) rateId: number | null;
  /** The rate's destination name when priced (the rate itself may be replaced later): invoices group usage by it. */
  @Column({ type: 'varchar', length: 100, nullable: true }) destination: string | null;
}
