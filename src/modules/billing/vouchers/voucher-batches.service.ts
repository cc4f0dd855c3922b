import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { isUniqueViolation, TransactionRunner } from '../../../database/transaction-runner';
import { AuditService } from '../../../shared/audit.service';
import { Clock } from '../../../shared/clock';
import { CustomerDirectory, type CustomerRef } from '../../../shared/customer-directory';
import { type FieldError, ForbiddenError, NotFoundError, ValidationError } from '../../../shared/errors';
import { FieldProblems } from '../../../shared/field-problems';
import { Money } from '../../../shared/money';
import { sortOrder, textCell, type CsvExport } from '../../../shared/http/list-query';
import type { Page } from '../../../shared/pagination';
import { isInSubtree, type Scope } from '../../../shared/scope';
import type {
  CreateVoucherBatchDto,
  UpdateVoucherBatchDto,
  VoucherBatchDto,
  VoucherBatchQuery,
  VoucherDto,
  VoucherQuery,
} from './dto/voucher.dto';
import { VOUCHER_BATCH_SORTS } from './dto/voucher.dto';
import type { VoucherBatchEntity } from './entities/voucher-batch.entity';
import type { VoucherEntity } from './entities/voucher.entity';
import { generateSerial, SERIAL_DEFAULT_LENGTH } from './serials';
import { VouchersRepository } from './vouchers.repository';

/** The columns of a voucher batch list exported as CSV, in this order (the serials are in each batch's own export). */
export const VOUCHER_BATCH_CSV_HEADER = ['id', 'owner_id', 'name', 'value', 'currency', 'count', 'redeemed', 'expires_at', 'locked', 'created_at'];
export function voucherBatchCsvRow(b: VoucherBatchDto): string[] {
  return [String(b.id), String(b.ownerId), textCell(b.name), b.value, b.currency, String(b.count), String(b.redeemed), b.expiresAt ?? '', String(b.locked), b.createdAt];
}

export function toBatchDto(b: VoucherBatchEntity, redeemed: number): VoucherBatchDto {
  return {
    id: b.id,
    ownerId: b.ownerCustomerId,
    name: b.name,
    value: b.value.toString(),
    currency: b.currency,
    count: b.count,
    redeemed,
    serialLength: b.serialLength,
    expiresAt: b.expiresAt?.toISOString() ?? null,
    locked: !!b.locked,
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
  };
}

export const toVoucherDto = (v: VoucherEntity): VoucherDto => ({
  id: v.id,
  serial: v.serial,
  redeemedAt: v.redeemedAt?.toISOString() ?? null,
  redeemedByCustomerId: v.redeemedByCustomerId,
});

/** One CSV row of the export: serial,value,currency,expires,redeemed_at,redeemed_by_customer_id. */
export const CSV_COLUMNS = ['serial', 'value', 'currency', 'expires', 'redeemed_at', 'redeemed_by_customer_id'] as const;

/** How often a batch's creation is tried again when a concurrent one took one of its serials first. */
const CREATE_ATTEMPTS = 3;

/**
 * Voucher batches: made by an administrator of a reseller (or of the system owner) for that customer,
 * seen by administrators of it and its ancestors (another branch's: 404), and their serials shown,
 * exported and locked only by the issuer's own administrators (an ancestor switches to it first).
 */
@Injectable()
export class VoucherBatchesService {
  constructor(
    private readonly repo: VouchersRepository,
    private readonly customers: CustomerDirectory,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** Makes a batch and its `count` serials (random, unique across all batches) in one transaction. */
  /**
   * Makes a batch and its `count` serials (random, unique across all batches) in one transaction. `earlier`:
   * the request's format problems (validatePartial); the value, expiry and name rules of the rest are checked
   * too and every problem is answered at once (issue #14).
   */
  async create(scope: Scope, dto: CreateVoucherBatchDto, earlier: readonly FieldError[] = []): Promise<VoucherBatchDto> {
    if (scope.role !== 'administrator') throw new ForbiddenError('administrators only');
    const owner = await this.customers.findInScope(this.repo.reader, scope, scope.customerId);
    if (!owner.reseller && owner.parentId !== null) throw new ForbiddenError('only resellers and the system owner issue vouchers');
    const problems = new FieldProblems(earlier);
    const value = dto.value === undefined ? null : Money.parse(dto.value);
    if (dto.value !== undefined && (!value?.isPositive() || !value.inStorableRange())) {
      problems.add('value', 'must be a decimal string greater than 0 with up to 6 decimal places');
    }
    const now = this.clock.now();
    const expiresAt = dto.expiresAt ? new Date(dto.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= now.getTime()) problems.add('expiresAt', 'must be in the future');
    if (dto.name !== undefined && !dto.name.trim()) problems.add('name', 'must not be empty');
    problems.throwIfAny();
    if (!value) throw new ValidationError('value: is required');
    const serialLength = dto.serialLength ?? SERIAL_DEFAULT_LENGTH;
    const row: Omit<VoucherBatchEntity, 'id'> = {
      ownerCustomerId: owner.id,
      name: dto.name.trim(),
      value,
      currency: dto.currency,
      count: dto.count,
      serialLength,
      expiresAt,
      locked: dto.locked ?? false,
      createdByPersonId: scope.personId,
      createdAt: now,
      updatedAt: now,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const id = await this.tx.run(async (em) => {
          const batchId = await this.repo.insertBatch(em, row);
          await this.repo.insertVouchers(em, batchId, await this.freshSerials(em, dto.count, serialLength));
          await this.audit.record(
            scope,
            {
              action: 'voucher_batch_created',
              entityType: 'voucher_batch',
              entityId: batchId,
              customerId: owner.id,
              details: {
                name: row.name,
                value: value.toString(),
                currency: row.currency,
                count: row.count,
                serialLength,
                expiresAt: expiresAt?.toISOString() ?? null,
                locked: row.locked,
              },
            },
            em,
          );
          return batchId;
        });
        return toBatchDto({ id, ...row }, 0);
      } catch (err) {
        // A concurrent batch took one of the serials between our check and our insert: new serials.
        if (!isUniqueViolation(err) || attempt >= CREATE_ATTEMPTS) throw err;
      }
    }
  }

  /** `count` serials that no voucher has yet and that differ from each other. */
  private async freshSerials(em: EntityManager, count: number, length: number): Promise<string[]> {
    const chosen = new Set<string>();
    while (chosen.size < count) {
      const candidates = new Set<string>();
      while (candidates.size < count - chosen.size) {
        const s = generateSerial(length, randomBytes);
        if (!chosen.has(s)) candidates.add(s);
      }
      const taken = await this.repo.existingSerials(em, [...candidates]);
      for (const s of candidates) if (!taken.has(s)) chosen.add(s);
    }
    return [...chosen];
  }

  /** The owner whose batches to list: the caller's customer, or `ownerId` in its tree (404 otherwise). */
  async list(scope: Scope, q: VoucherBatchQuery): Promise<Page<VoucherBatchDto>> {
    if (scope.role !== 'administrator') throw new ForbiddenError('administrators only');
    const owner = await this.customers.findInScope(this.repo.reader, scope, q.ownerId ?? scope.customerId, { includeDeleted: true });
    const search = q.search?.trim();
    const r = await this.repo.batches(this.repo.reader, owner.id, {
      search: search || undefined,
      locked: q.locked === undefined ? undefined : q.locked === 'true',
      sort: sortOrder(q.sort, VOUCHER_BATCH_SORTS, '-createdAt'),
      page: q.page,
      pageSize: q.pageSize,
    });
    const redeemed = await this.repo.redeemedCounts(
      this.repo.reader,
      r.rows.map((b) => b.id),
    );
    return { items: r.rows.map((b) => toBatchDto(b, redeemed.get(b.id) ?? 0)), page: r.page, pageSize: r.pageSize, total: r.total };
  }

  /** A batch in the caller's tree and its owner; 404 for another branch's (and for ordinary users: 403). */
  async batch(scope: Scope, id: number): Promise<{ batch: VoucherBatchEntity; owner: CustomerRef }> {
    const batch = await this.repo.findBatch(this.repo.reader, id);
    const owner = batch ? await this.customers.find(this.repo.reader, batch.ownerCustomerId) : null;
    if (!batch || !owner || !isInSubtree(scope.customerPath, owner.path)) throw new NotFoundError('voucher batch');
    if (scope.role !== 'administrator') throw new ForbiddenError('administrators only');
    return { batch, owner };
  }

  async get(scope: Scope, id: number): Promise<VoucherBatchDto> {
    const { batch } = await this.batch(scope, id);
    return toBatchDto(batch, (await this.repo.redeemedCounts(this.repo.reader, [batch.id])).get(batch.id) ?? 0);
  }

  /** Whether the scope may see the batch's serials and lock it: administrators of the issuer itself. */
  static isIssuer(scope: Scope, batch: VoucherBatchEntity): boolean {
    return scope.role === 'administrator' && scope.customerId === batch.ownerCustomerId;
  }

  private async issuedBatch(scope: Scope, id: number): Promise<VoucherBatchEntity> {
    const { batch } = await this.batch(scope, id);
    if (!VoucherBatchesService.isIssuer(scope, batch)) {
      throw new ForbiddenError("only the issuer's administrators see its serials and lock its batches (switch to it first)");
    }
    return batch;
  }

  /** Locks or unlocks a batch (its issuer's administrators); audited when it changes. */
  async update(scope: Scope, id: number, dto: UpdateVoucherBatchDto): Promise<VoucherBatchDto> {
    const batch = await this.issuedBatch(scope, id);
    await this.tx.run(async (em) => {
      const changed = await this.repo.setLocked(em, batch.id, dto.locked, this.clock.now());
      if (changed) {
        await this.audit.record(
          scope,
          {
            action: dto.locked ? 'voucher_batch_locked' : 'voucher_batch_unlocked',
            entityType: 'voucher_batch',
            entityId: batch.id,
            customerId: batch.ownerCustomerId,
            details: { name: batch.name },
          },
          em,
        );
      }
    });
    return this.get(scope, id);
  }

  /** A page of the batch's vouchers with their serials (its issuer's administrators). */
  async vouchers(scope: Scope, id: number, q: VoucherQuery): Promise<Page<VoucherDto> & { batch: VoucherBatchDto }> {
    const batch = await this.issuedBatch(scope, id);
    const r = await this.repo.vouchers(this.repo.reader, batch.id, { status: q.status, page: q.page, pageSize: q.pageSize });
    const redeemed = (await this.repo.redeemedCounts(this.repo.reader, [batch.id])).get(batch.id) ?? 0;
    return { items: r.rows.map(toVoucherDto), page: r.page, pageSize: r.pageSize, total: r.total, batch: toBatchDto(batch, redeemed) };
  }

  /**
   * Every voucher of the batch as CSV (its issuer's administrators), read 5,000 at a time as the client
   * takes them (streamCsv); the export is audited (who took the serials, when) before the first row.
   */
  async csvExport(scope: Scope, id: number): Promise<CsvExport> {
    const batch = await this.issuedBatch(scope, id);
    await this.audit.record(scope, {
      action: 'voucher_batch_exported',
      entityType: 'voucher_batch',
      entityId: batch.id,
      customerId: batch.ownerCustomerId,
      details: { name: batch.name, count: batch.count },
    });
    const value = batch.value.toString();
    const expires = batch.expiresAt?.toISOString() ?? '';
    const repo = this.repo;
    async function* slices(): AsyncGenerator<string[][]> {
      let afterId = 0;
      for (;;) {
        const slice = await repo.slice(repo.reader, batch.id, afterId, 5000);
        if (!slice.length) return;
        afterId = slice[slice.length - 1].id;
        yield slice.map((v) => [
          v.serial,
          value,
          batch.currency,
          expires,
          v.redeemedAt?.toISOString() ?? '',
          v.redeemedByCustomerId === null ? '' : String(v.redeemedByCustomerId),
        ]);
      }
    }
    return { filename: `voucher-batch-${batch.id}.csv`, header: CSV_COLUMNS, slices: slices() };
  }
}
