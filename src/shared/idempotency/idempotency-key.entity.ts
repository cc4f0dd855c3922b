import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';

/**
 * An `Idempotency-Key` a caller sent with a request that moves money, and the answer it got. Written in
 * the same transaction as the request's work (IdempotencyService), so a key is stored exactly when the
 * work committed. Keys belong to a caller: a person, or an API key.
 */
@Entity('idempotency_keys')
export class IdempotencyKeyEntity {
  /** Who sent it: "person:12", "api-key:7" (principalOf). */
  @PrimaryColumn({ type: 'varchar', length: 40 }) principal: string;
  /** SHA-256 (hex) of the key as sent: exact (no collation folds its case) and of fixed length. */
  @PrimaryColumn({ type: 'varchar', length: 64 }) keyHash: string;
  /** The key as sent, for people reading the table. */
  @Column({ type: 'varchar', length: 255 }) idempotencyKey: string;
  /** SHA-256 (hex) of the request (operation and body, keys sorted): the same key with another request is refused. */
  @Column({ type: 'varchar', length: 64 }) requestHash: string;
  /** The first answer: HTTP status and JSON body. */
  @Column({ type: 'int' }) responseStatus: number;
  @Column({ type: 'text' }) responseBody: string;
  @TimestampColumn() createdAt: Date;
}
