import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUniqueViolation, TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { Clock } from '../../shared/clock';
import { ConflictError, type FieldError, ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors';
import { FieldProblems } from '../../shared/field-problems';
import { Page, PageQuery, pageParams } from '../../shared/pagination';
import type { Scope } from '../../shared/scope';
import { CustomerDirectory, pathIds } from '../../shared/customer-directory';
import { RatePlanDirectory } from '../../shared/rate-plan-directory';
import { CreateDialPlanDto, DialPlanDto, NAMED_SORTS, UpdateDialPlanDto } from './dto/system.dto';
import { sortOrder, textCell } from '../../shared/http/list-query';

/** The columns of a dial plan list exported as CSV. */
export const DIAL_PLAN_CSV_HEADER = ['id', 'owner_customer_id', 'name', 'description', 'own', 'created_at'];
export const dialPlanCsvRow = (d: DialPlanDto): string[] => [
  String(d.id),
  String(d.ownerCustomerId),
  textCell(d.name),
  textCell(d.description),
  String(d.own),
  d.createdAt,
];
import { DialPlanEntity } from './entities/dial-plan.entity';
import { SystemApi } from './system.api';
import { SystemRepository } from './system.repository';

const duplicate = () => ConflictError.field('name', 'you already have a dial plan with this name');

function cleanName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw ValidationError.field('name', 'must not be empty');
  return trimmed;
}

/**
 * Dial plans belong to a reseller (or the system owner). The acting customer sees its own and those of
 * its ancestors (it may assign them) but changes only its own; another branch's answer 404.
 */
@Injectable()
export class DialPlansService {
  constructor(
    private readonly repo: SystemRepository,
    private readonly system: SystemApi,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly customers: CustomerDirectory,
    private readonly ratePlans: RatePlanDirectory,
  ) {}

  private toDto(scope: Scope, d: DialPlanEntity): DialPlanDto {
    return {
      id: d.id,
      ownerCustomerId: d.ownerCustomerId,
      name: d.name,
      description: d.description,
      own: d.ownerCustomerId === scope.customerId,
      createdAt: d.createdAt.toISOString(),
    };
  }

  async list(scope: Scope, query: PageQuery & { sort?: string }): Promise<Page<DialPlanDto>> {
    const { page, pageSize, skip } = pageParams(query);
    const [rows, total] = await this.repo.listDialPlans(pathIds(scope.customerPath), skip, pageSize, sortOrder(query.sort, NAMED_SORTS, 'name'));
    return { items: rows.map((d) => this.toDto(scope, d)), page, pageSize, total };
  }

  async get(scope: Scope, id: number): Promise<DialPlanDto> {
    return this.toDto(scope, await this.findVisible(this.repo.manager, scope, id));
  }

  /** Adds a dial plan; `earlier`: the request's format problems, answered with the name checks at once (issue #14). */
  async create(scope: Scope, dto: CreateDialPlanDto, earlier: readonly FieldError[] = []): Promise<DialPlanDto> {
    const problems = new FieldProblems(earlier);
    const name = dto.name === undefined ? undefined : await problems.check('name', () => cleanName(dto.name));
    return this.tx
      .run(async (em) => {
        const owner = await this.customers.find(em, scope.customerId);
        if (!owner || owner.deleted) throw new NotFoundError('customer');
        if (!owner.reseller) throw new ForbiddenError('only resellers (and the system owner) own dial plans');
        if (name !== undefined && (await this.repo.dialPlanNameTaken(em, owner.id, name, null))) problems.addError(duplicate(), 'name');
        problems.throwIfAny();
        if (name === undefined) throw new ValidationError('name: is required');
        const row = await this.repo.insertDialPlan(em, {
          ownerCustomerId: owner.id,
          name,
          description: dto.description ?? null,
          createdAt: this.clock.now(),
        });
        await this.audit.record(scope, { action: 'dial_plan_created', entityType: 'dial_plan', entityId: row.id, details: { name } }, em);
        return this.toDto(scope, row);
      })
      .catch(rethrowDuplicate);
  }

  async update(scope: Scope, id: number, dto: UpdateDialPlanDto): Promise<DialPlanDto> {
    return this.tx
      .run(async (em) => {
        const row = await this.findOwn(em, scope, id);
        const changes: Partial<DialPlanEntity> = {};
        if (dto.name !== undefined) {
          const name = cleanName(dto.name);
          if (name !== row.name) {
            if (await this.repo.dialPlanNameTaken(em, row.ownerCustomerId, name, id)) throw duplicate();
            changes.name = name;
          }
        }
        if (dto.description !== undefined && dto.description !== row.description) changes.description = dto.description;
        if (Object.keys(changes).length) {
          await this.repo.updateDialPlan(em, id, changes);
          const details = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, { from: row[k as keyof DialPlanEntity], to: v }]));
          await this.audit.record(scope, { action: 'dial_plan_updated', entityType: 'dial_plan', entityId: id, details }, em);
          Object.assign(row, changes);
        }
        return this.toDto(scope, row);
      })
      .catch(rethrowDuplicate);
  }

  /** Refused while a customer or a rate plan (also soft-deleted ones) refers to it. */
  async remove(scope: Scope, id: number): Promise<void> {
    await this.tx.run(async (em) => {
      const row = await this.findOwn(em, scope, id);
      const usage = {
        customers: await this.customers.countUsing(em, 'dialPlan', id),
        ratePlans: await this.ratePlans.countUsingDialPlan(em, id),
      };
      if (usage.customers || usage.ratePlans) {
        throw new ConflictError(
          `the dial plan is used by ${usage.customers} customer(s) and ${usage.ratePlans} rate plan(s)`,
          [],
          'in_use',
        );
      }
      await this.repo.deleteDialPlan(em, id);
      await this.audit.record(
        scope,
        { action: 'dial_plan_deleted', entityType: 'dial_plan', entityId: id, details: { name: row.name } },
        em,
      );
    });
  }

  /** The acting customer sees its own dial plans and its ancestors' (SystemApi's one rule). */
  private findVisible(em: EntityManager, scope: Scope, id: number): Promise<DialPlanEntity> {
    return this.system.findUsableDialPlan(em, scope.customerPath, id);
  }

  private async findOwn(em: EntityManager, scope: Scope, id: number): Promise<DialPlanEntity> {
    const row = await this.findVisible(em, scope, id);
    if (row.ownerCustomerId !== scope.customerId) throw new ForbiddenError("a parent's dial plan can be used but not changed");
    return row;
  }
}

function rethrowDuplicate(err: unknown): never {
  if (isUniqueViolation(err)) throw duplicate();
  throw err;
}
