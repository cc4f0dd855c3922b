import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';

/** Units of `currency` per unit of the system currency, from `validFrom` on. Kept as exact text. */
@Entity('exchange_rates')
@Index('IDX_exchange_rates_currency_from', ['currency', 'validFrom'], { unique: true })
export class ExchangeRateEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 3 }) currency: string;
  @Column({ type: 'varchar', length: 40 }) rate: string;
  @TimestampColumn() validFrom: Date;
  @TimestampColumn() createdAt: Date;
}
