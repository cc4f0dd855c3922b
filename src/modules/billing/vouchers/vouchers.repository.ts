import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, Not } from 'typeorm';
import { isSqlite } from '../../../database/dialect';
import { insertRow } from '../../../database/insert-row';
import { LIKE_ESCAPE, likeContains, pageParams } from '../../../shared/pagination';
import type { SortOrder } from '../../../shared/http/list-query';
import type { VoucherBatchSort, VoucherStatus } from './dto/voucher.dto';
import { VoucherBatchEntity } from './entities/voucher-batch.entity';
import { VoucherEntity } from './entities/voucher.entity';

/** A voucher with what redeeming it needs of its batch. */
export interface VoucherWithIssuer {
  id: number;
  batchId: number;
  redeemed: boolean;
  ownerCustomerId: number;
}

/** Rows per INSERT when a batch's serials are written (2 parameters each). */
const INSERT_CHUNK = 500;

/** The SQL of the vouchers tables (`voucher_batches`, `vouchers`). Writes take the caller's manager. */
@Injectable()
export class VouchersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** For reads outside a transaction. */
  get reader(): EntityManager {
    return this.dataSource.manager;
  }

  insertBatch(em: EntityManager, row: Omit<VoucherBatchEntity, 'id'>): Promise<number> {
    return insertRow(em, VoucherBatchEntity, row);
  }

  /** Which of these serials some voucher already has. */
  async existingSerials(em: EntityManager, serials: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < serials.length; i += INSERT_CHUNK) {
      const chunk = serials.slice(i, i + INSERT_CHUNK);
      const rows = (await em.query(`SELECT serial FROM vouchers WHERE serial IN (${chunk.map(() => '?').join(', ')})`, chunk)) as Array<{
        serial: string;
      }>;
      for (const r of rows) out.add(r.serial);
    }
    return out;
  }

  /** Writes the batch's vouchers, a few hundred rows per statement. */
  async insertVouchers(em: EntityManager, batchId: number, serials: readonly string[]): Promise<void> {
    for (let i = 0; i < serials.length; i += INSERT_CHUNK) {
      const chunk = serials.slice(i, i + INSERT_CHUNK);
      await em.query(
        `INSERT INTO vouchers (batch_id, serial) VALUES ${chunk.map(() => '(?, ?)').join(', ')}`,
        chunk.flatMap((serial) => [batchId, serial]),
      );
    }
  }

  /**
   * A batch. `shared` reads it with a shared lock until the transaction ends (MariaDB: LOCK IN SHARE
   * MODE), so a lock or unlock of the batch waits for the redemptions that read it, and they for it.
   * SQLite runs one transaction at a time.
   */
  findBatch(em: EntityManager, id: number, options: { shared?: boolean } = {}): Promise<VoucherBatchEntity | null> {
    if (!Number.isSafeInteger(id) || id < 1) return Promise.resolve(null);
    const lock = options.shared && !isSqlite(em) ? { lock: { mode: 'pessimistic_read' as const } } : {};
    return em.findOne(VoucherBatchEntity, { where: { id }, ...lock });
  }

  async setLocked(em: EntityManager, id: number, locked: boolean, at: Date): Promise<boolean> {
    const r = await em
      .createQueryBuilder()
      .update(VoucherBatchEntity)
      .set({ locked, updatedAt: at })
      .where('id = :id AND locked = :was', { id, was: !locked })
      .execute();
    return (r.affected ?? 0) > 0;
  }

  /** A page of an owner's batches, newest first, optionally those whose name contains `search`. */
  async batches(
    em: EntityManager,
    ownerCustomerId: number,
    f: { search?: string; locked?: boolean; sort?: SortOrder<VoucherBatchSort>; page?: number; pageSize?: number },
  ): Promise<{ rows: VoucherBatchEntity[]; total: number; page: number; pageSize: number }> {
    const { page, pageSize, skip } = pageParams({ page: f.page, pageSize: f.pageSize });
    const q = em.createQueryBuilder(VoucherBatchEntity, 'b').where('b.ownerCustomerId = :ownerCustomerId', { ownerCustomerId });
    if (f.search) q.andWhere(`LOWER(b.name) LIKE LOWER(:term) ${LIKE_ESCAPE}`, { term: likeContains(f.search) });
    if (f.locked !== undefined) q.andWhere(f.locked ? 'b.locked = 1' : 'b.locked = 0');
    const total = await q.getCount();
    if (total <= skip) return { rows: [], total, page, pageSize };
    // Newest first by default (createdAt with id: the order they were made).
    const sort = f.sort ?? { column: 'createdAt', descending: true };
    const dir = sort.descending ? 'DESC' : 'ASC';
    const rows = await q.orderBy(`b.${sort.column}`, dir).addOrderBy('b.id', dir).skip(skip).take(pageSize).getMany();
    return { rows, total, page, pageSize };
  }

  /** How many vouchers of each batch were redeemed (a range of IDX_vouchers_batch_redeemed per batch). */
  async redeemedCounts(em: EntityManager, batchIds: readonly number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>(batchIds.map((id) => [id, 0]));
    if (!batchIds.length) return out;
    const rows = (await em.query(
      `SELECT batch_id, COUNT(*) AS n FROM vouchers WHERE batch_id IN (${batchIds.map(() => '?').join(', ')}) AND redeemed_at IS NOT NULL GROUP BY batch_id`,
      [...batchIds],
    )) as Array<{ batch_id: unknown; n: unknown }>;
    for (const r of rows) out.set(Number(r.batch_id), Number(r.n));
    return out;
  }

  /** A page of a batch's vouchers in the order they were made. */
  async vouchers(
    em: EntityManager,
    batchId: number,
    f: { status?: VoucherStatus; page?: number; pageSize?: number },
  ): Promise<{ rows: VoucherEntity[]; total: number; page: number; pageSize: number }> {
    const { page, pageSize, skip } = pageParams({ page: f.page, pageSize: f.pageSize });
    const where = {
      batchId,
      ...(f.status === 'redeemed' ? { redeemedAt: Not(IsNull()) } : f.status === 'unredeemed' ? { redeemedAt: IsNull() } : {}),
    };
    const total = await em.count(VoucherEntity, { where });
    if (total <= skip) return { rows: [], total, page, pageSize };
    const rows = await em.find(VoucherEntity, { where, order: { id: 'ASC' }, skip, take: pageSize });
    return { rows, total, page, pageSize };
  }

  /** The next `limit` vouchers of a batch after the id `afterId` (the CSV export reads it in slices). */
  slice(em: EntityManager, batchId: number, afterId: number, limit: number): Promise<VoucherEntity[]> {
    return em
      .createQueryBuilder(VoucherEntity, 'v')
      .where('v.batchId = :batchId AND v.id > :afterId', { batchId, afterId })
      .orderBy('v.id', 'ASC')
      .take(limit)
      .getMany();
  }

  /** The voucher with this serial and its batch's owner, or null. */
  async findBySerial(em: EntityManager, serial: string): Promise<VoucherWithIssuer | null> {
    const rows = (await em.query(
      'SELECT v.id, v.batch_id, v.redeemed_at, b.owner_customer_id FROM vouchers v JOIN voucher_batches b ON b.id = v.batch_id WHERE v.serial = ?',
      [serial],
    )) as Array<{ id: unknown; batch_id: unknown; redeemed_at: unknown; owner_customer_id: unknown }>;
    const r = rows[0];
    if (!r) return null;
    return {
      id: Number(r.id),
      batchId: Number(r.batch_id),
      redeemed: r.redeemed_at !== null,
      ownerCustomerId: Number(r.owner_customer_id),
    };
  }

  /**
   * Claims the voucher for a customer: one conditional UPDATE (`redeemed_at IS NULL`), so of any number of
   * concurrent attempts exactly one changes the row (MariaDB: the others wait on its lock, then find it
   * redeemed). True when this call claimed it.
   */
  async claim(em: EntityManager, voucherId: number, customerId: number, at: Date): Promise<boolean> {
    const r = await em
      .createQueryBuilder()
      .update(VoucherEntity)
      .set({ redeemedAt: at, redeemedByCustomerId: customerId })
      .where('id = :voucherId AND redeemedAt IS NULL', { voucherId })
      .execute();
    return r.affected === 1;
  }

  async setLedgerTransaction(em: EntityManager, voucherId: number, transactionId: number): Promise<void> {
    await em.update(VoucherEntity, { id: voucherId }, { ledgerTransactionId: transactionId });
  }
}
