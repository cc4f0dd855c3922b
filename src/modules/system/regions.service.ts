import { Injectable } from '@nestjs/common';
import { isUniqueViolation, TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { Clock } from '../../shared/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import { Page, PageQuery, pageParams } from '../../shared/pagination';
import { CustomerDirectory } from '../../shared/customer-directory';
import type { Scope } from '../../shared/scope';
import { CreateRegionDto, NAMED_SORTS, RegionDto, UpdateRegionDto } from './dto/system.dto';
import { sortOrder, textCell } from '../../shared/http/list-query';

/** The columns of a region list exported as CSV. */
export const REGION_CSV_HEADER = ['id', 'name', 'created_at'];
export const regionCsvRow = (r: RegionDto): string[] => [String(r.id), textCell(r.name), r.createdAt];
import { RegionEntity } from './entities/region.entity';
import { assertSystemOwnerAdmin, SYSTEM_OWNER_ID } from '../../shared/system-owner';
import { SystemRepository } from './system.repository';

const toDto = (r: RegionEntity): RegionDto => ({ id: r.id, name: r.name, createdAt: r.createdAt.toISOString() });

function cleanName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw ValidationError.field('name', 'must not be empty');
  return trimmed;
}

const duplicate = () => ConflictError.field('name', 'a region with this name exists');

/** Regions are platform-wide: everyone reads them, only the system owner's administrators change them. */
@Injectable()
export class RegionsService {
  constructor(
    private readonly repo: SystemRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly customers: CustomerDirectory,
  ) {}

  async list(_scope: Scope, query: PageQuery & { sort?: string }): Promise<Page<RegionDto>> {
    const { page, pageSize, skip } = pageParams(query);
    const [rows, total] = await this.repo.listRegions(skip, pageSize, sortOrder(query.sort, NAMED_SORTS, 'name'));
    return { items: rows.map(toDto), page, pageSize, total };
  }

  async get(_scope: Scope, id: number): Promise<RegionDto> {
    const row = await this.repo.findRegion(this.repo.manager, id);
    if (!row) throw new NotFoundError('region');
    return toDto(row);
  }

  async create(scope: Scope, dto: CreateRegionDto): Promise<RegionDto> {
    assertSystemOwnerAdmin(scope);
    const name = cleanName(dto.name);
    return this.tx
      .run(async (em) => {
        if (await this.repo.regionNameTaken(em, name, null)) throw duplicate();
        const row = await this.repo.insertRegion(em, { name, createdAt: this.clock.now() });
        await this.audit.record(
          scope,
          { action: 'region_created', entityType: 'region', entityId: row.id, customerId: SYSTEM_OWNER_ID, details: { name } },
          em,
        );
        return toDto(row);
      })
      .catch(rethrowDuplicate);
  }

  async update(scope: Scope, id: number, dto: UpdateRegionDto): Promise<RegionDto> {
    assertSystemOwnerAdmin(scope);
    return this.tx
      .run(async (em) => {
        const row = await this.repo.findRegion(em, id);
        if (!row) throw new NotFoundError('region');
        if (dto.name !== undefined) {
          const name = cleanName(dto.name);
          if (name !== row.name) {
            if (await this.repo.regionNameTaken(em, name, id)) throw duplicate();
            await this.repo.updateRegion(em, id, { name });
            await this.audit.record(
              scope,
              {
                action: 'region_updated',
                entityType: 'region',
                entityId: id,
                customerId: SYSTEM_OWNER_ID,
                details: { name: { from: row.name, to: name } },
              },
              em,
            );
            row.name = name;
          }
        }
        return toDto(row);
      })
      .catch(rethrowDuplicate);
  }

  /** Refused while any customer (also a soft-deleted one, which may come back) uses the region. */
  async remove(scope: Scope, id: number): Promise<void> {
    assertSystemOwnerAdmin(scope);
    await this.tx.run(async (em) => {
      const row = await this.repo.findRegion(em, id);
      if (!row) throw new NotFoundError('region');
      const users = await this.customers.countUsing(em, 'region', id);
      if (users > 0) throw new ConflictError(`the region is used by ${users} customer(s)`, [], 'in_use');
      await this.repo.deleteRegion(em, id);
      await this.audit.record(
        scope,
        { action: 'region_deleted', entityType: 'region', entityId: id, customerId: SYSTEM_OWNER_ID, details: { name: row.name } },
        em,
      );
    });
  }
}

function rethrowDuplicate(err: unknown): never {
  if (isUniqueViolation(err)) throw duplicate();
  throw err;
}
