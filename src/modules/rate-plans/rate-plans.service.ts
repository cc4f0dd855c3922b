import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { Clock } from '../../shared/clock';
import { ConflictError, type FieldError, ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors';
import { FieldProblems } from '../../shared/field-problems';
import { Dec, Money } from '../../shared/money';
import { Page, pageParams } from '../../shared/pagination';
import { isInSubtree, Scope } from '../../shared/scope';
import { ancestorIds, CustomerDirectory, pathIds } from '../../shared/customer-directory';
import { UNLIMITED_MARK } from './domain/plan-level-settings';
import { CreateRatePlanDto, ListRatePlansQuery, RATE_PLAN_SORTS, RatePlanDto, RatePlanFieldsDto, UpdateRatePlanDto } from './dto/rate-plan.dto';
import { sortOrder, textCell } from '../../shared/http/list-query';
import type { RatePlanEntity, Sharing } from './entities/rate-plan.entity';
import type { PlanOwner } from './plan-queries';
import { FEE_COLUMNS, FEE_KEYS, inheritanceChain, MARKUP_COLUMNS, MARKUP_KEYS, percentText, resolvePlanSettings } from './plan-settings';
import { RateIndexCache } from './rate-index-cache';
import { RatePlansRepository } from './rate-plans.repository';
import { RatesRepository } from './rates.repository';

/** Would `customer` see (and be able to assign) a plan of `ownerId` shared this way? */
export function sharedWith(sharing: Sharing, ownerId: number, customer: PlanOwner): boolean {
  if (customer.id === ownerId) return true;
  if (sharing === 'children') return customer.parentId === ownerId;
  if (sharing === 'recursive') return ancestorIds(customer.path).includes(ownerId);
  return false;
}

/** The acting customer as a reference, from the scope alone. */
export function scopeCustomer(scope: Scope): PlanOwner {
  const ids = pathIds(scope.customerPath);
  return { id: scope.customerId, parentId: ids.length > 1 ? ids[ids.length - 2] : null, path: scope.customerPath };
}

export interface VisiblePlan {
  plan: RatePlanEntity;
  /** The plan's owner is the acting customer or one of its descendants. */
  editable: boolean;
}

const SHARED_READ_ONLY = 'this rate plan is shared with you by its owner: you can assign it to your customers but not change or delete it';

/** Rate plans: create, read, change and delete, with sharing, inheritance and the settings they default. */
@Injectable()
export class RatePlansService {
  constructor(
    private readonly repo: RatePlansRepository,
    private readonly rates: RatesRepository,
    private readonly cache: RateIndexCache,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly customers: CustomerDirectory,
  ) {}

  // ---- reading ----------------------------------------------------------------------------------

  /**
   * A plan the scope may see: owned in the scope's subtree (editable), or shared with the acting
   * customer (read-only). Anything else is 404.
   */
  async findVisible(em: EntityManager, scope: Scope, planId: number): Promise<VisiblePlan> {
    const plan = await this.repo.findLive(em, planId);
    if (!plan) throw new NotFoundError('rate plan');
    const owner = await this.repo.findCustomer(em, plan.ownerCustomerId);
    if (owner && isInSubtree(scope.customerPath, owner.path)) return { plan, editable: true };
    if (await this.repo.isAssignableTo(em, scopeCustomer(scope), plan.id)) return { plan, editable: false };
    throw new NotFoundError('rate plan');
  }

  /** Like findVisible, but the plan must be editable by the scope (403 for a plan shared with it). */
  async findEditable(em: EntityManager, scope: Scope, planId: number): Promise<RatePlanEntity> {
    const { plan, editable } = await this.findVisible(em, scope, planId);
    if (!editable) throw new ForbiddenError(SHARED_READ_ONLY);
    return plan;
  }

  async get(scope: Scope, planId: number): Promise<RatePlanDto> {
    const { plan, editable } = await this.findVisible(this.repo.manager, scope, planId);
    const [dto] = await this.toDtos(this.repo.manager, [plan], () => editable);
    return dto;
  }

  /** Own plans and plans shared with the acting customer (or with `ownerId`, a customer of the caller's tree). */
  async list(scope: Scope, q: ListRatePlansQuery): Promise<Page<RatePlanDto>> {
    const em = this.repo.manager;
    const { page, pageSize, skip } = pageParams(q);
    const customer: PlanOwner = q.ownerId ? await this.customers.findInScope(em, scope, q.ownerId) : scopeCustomer(scope);
    const sort = q.sort ? sortOrder(q.sort, RATE_PLAN_SORTS, 'name') : undefined;
    const [rows, total] = await this.repo.listVisibleTo(customer, q.search, skip, pageSize, { sharing: q.sharing, currency: q.currency, sort });
    const owners = await this.repo.findCustomers(
      em,
      rows.map((p) => p.ownerCustomerId),
    );
    const items = await this.toDtos(em, rows, (p) => isInSubtree(scope.customerPath, owners.get(p.ownerCustomerId)?.path ?? ''));
    return { items, page, pageSize, total };
  }

  /** Plans `owner` may assign (own and shared), for forms. */
  async listAssignable(scope: Scope, ownerId: number): Promise<RatePlanEntity[]> {
    const em = this.repo.manager;
    const owner = await this.customers.findInScope(em, scope, ownerId);
    const [rows] = await this.repo.listVisibleTo(owner, undefined, 0, 10_000);
    return rows;
  }

  async toDtos(em: EntityManager, plans: RatePlanEntity[], editable: (p: RatePlanEntity) => boolean): Promise<RatePlanDto[]> {
    if (plans.length === 0) return [];
    const all = await this.repo.loadWithAncestors(em, [], new Map(plans.map((p) => [p.id, p])));
    await this.repo.loadWithAncestors(
      em,
      plans.map((p) => p.inheritsFromId).filter((id): id is number => id !== null),
      all,
    );
    const costPlanId = (await this.repo.settings(em)).costPlanId;
    const counts = await this.rates.currentCounts(
      em,
      plans.map((p) => p.id),
      this.clock.now(),
    );
    return plans.map((p) => toPlanDto(p, inheritanceChain(p, all), editable(p), costPlanId, counts.get(p.id) ?? 0));
  }

  // ---- changing ---------------------------------------------------------------------------------

  /**
   * Creates a plan. `earlier`: the request's format problems (validatePartial); the reference checks of the
   * well-formed rest run too and every problem is answered at once before anything is written (issue #14).
   */
  async create(scope: Scope, dto: CreateRatePlanDto, earlier: readonly FieldError[] = []): Promise<RatePlanDto> {
    const problems = new FieldProblems(earlier);
    const plan = await this.tx.run(async (em) => {
      // The owner is what everything else is checked against: one that is not there answers alone.
      if (problems.has('ownerId')) problems.throwIfAny();
      const owner = await this.customers.findInScope(em, scope, dto.ownerId ?? scope.customerId);
      if (!owner.reseller) throw new ForbiddenError('only resellers (and the system owner) can own rate plans');
      const now = this.clock.now();
      const row: Partial<RatePlanEntity> = {
        ownerCustomerId: owner.id,
        name: dto.name,
        currency: dto.currency ?? owner.currency,
        sharing: dto.sharing ?? 'private',
        description: null,
        inheritsFromId: null,
        ratesVersion: 0,
        createdAt: now,
        updatedAt: now,
      };
      applyFields(row, dto);
      await this.checkReferences(em, owner, { ...row, id: 0 } as RatePlanEntity, null, problems);
      problems.throwIfAny();
      const saved = await this.repo.insert(em, row);
      await this.audit.record(
        scope,
        { action: 'rate_plan_created', entityType: 'rate_plan', entityId: saved.id, customerId: owner.id, details: { ...dto } },
        em,
      );
      return saved;
    });
    return this.get(scope, plan.id);
  }

  /** Changes a plan; `earlier` as for create: every problem of the request is answered at once. */
  async update(scope: Scope, planId: number, dto: UpdateRatePlanDto, earlier: readonly FieldError[] = []): Promise<RatePlanDto> {
    const problems = new FieldProblems(earlier);
    await this.tx.run(async (em) => {
      const plan = await this.findEditable(em, scope, planId);
      const owner = await this.repo.findCustomer(em, plan.ownerCustomerId);
      if (!owner) throw new NotFoundError('rate plan');
      const changes: Partial<RatePlanEntity> = {};
      if (dto.name !== undefined) changes.name = dto.name;
      if (dto.currency !== undefined) changes.currency = dto.currency;
      if (dto.sharing !== undefined) changes.sharing = dto.sharing;
      applyFields(changes, dto);
      const next = { ...plan, ...changes } as RatePlanEntity;
      await this.checkReferences(em, owner, next, plan, problems);
      if (changes.currency !== undefined && changes.currency !== plan.currency) {
        const others = (await this.repo.inheritorCurrencies(em, plan.id)).filter((c) => c !== changes.currency);
        if (others.length) {
          const message = 'other rate plans inherit from this plan in its current currency; change them first';
          problems.add('currency', message, 'in_use', 409, ConflictError.field('currency', message, 'in_use'));
        }
      }
      const sharing = changes.sharing;
      if (sharing !== undefined && sharing !== plan.sharing) await problems.check('sharing', () => this.checkSharingNarrowing(em, plan, sharing));
      problems.throwIfAny();
      changes.updatedAt = this.clock.now();
      await this.repo.update(em, plan.id, changes);
      await this.audit.record(
        scope,
        { action: 'rate_plan_updated', entityType: 'rate_plan', entityId: plan.id, customerId: plan.ownerCustomerId, details: { ...dto } },
        em,
      );
    });
    return this.get(scope, planId);
  }

  async remove(scope: Scope, planId: number): Promise<void> {
    await this.tx.run(async (em) => {
      const plan = await this.findEditable(em, scope, planId);
      const settings = await this.repo.settings(em);
      if (settings.costPlanId === plan.id)
        throw new ConflictError("this is the system owner's cost plan (system settings); choose another cost plan first", [], 'in_use');
      const customers = await this.repo.countCustomersUsing(em, plan.id);
      if (customers > 0)
        throw new ConflictError(`this rate plan is used by ${customers} customer(s); give them another plan first`, [], 'in_use');
      const inheritors = await this.repo.countPlansInheriting(em, plan.id);
      if (inheritors > 0)
        throw new ConflictError(`${inheritors} other rate plan(s) inherit from this plan; change them first`, [], 'in_use');
      const now = this.clock.now();
      await this.rates.deletePlanRates(em, plan.id);
      await this.repo.update(em, plan.id, { deletedAt: now, updatedAt: now });
      await this.rates.bumpVersions(em, plan.id, null);
      await this.audit.record(
        scope,
        {
          action: 'rate_plan_deleted',
          entityType: 'rate_plan',
          entityId: plan.id,
          customerId: plan.ownerCustomerId,
          details: { name: plan.name },
        },
        em,
      );
    });
    this.cache.forgetPlan(planId);
  }

  /** inheritsFromId (visible to the owner, same currency, no cycle) and dialPlanId (usable by the owner). */
  private async checkReferences(
    em: EntityManager,
    owner: PlanOwner,
    next: RatePlanEntity,
    prev: RatePlanEntity | null,
    problems: FieldProblems,
  ): Promise<void> {
    // Each check runs on its own (a refusal of one is recorded and the other still runs); a currency with a
    // format problem is not compared at all.
    if (!problems.has('currency') && !problems.has('inheritsFromId')) {
      await problems.check('inheritsFromId', () => this.checkInheritance(em, owner, next, prev));
    }
    if (next.dialPlanId !== null && next.dialPlanId !== undefined && next.dialPlanId !== prev?.dialPlanId) {
      if (!(await this.repo.dialPlanUsableBy(em, next.dialPlanId, owner.path))) {
        problems.add('dialPlanId', "must be a dial plan of the owner's or of one of its parents");
      }
    }
  }

  private async checkInheritance(em: EntityManager, owner: PlanOwner, next: RatePlanEntity, prev: RatePlanEntity | null): Promise<void> {
    // Values a form sends back unchanged are not checked again (see the README's customer rules).
    const inheritanceTouched = !prev || next.inheritsFromId !== prev.inheritsFromId || next.currency !== prev.currency;
    if (inheritanceTouched && next.inheritsFromId !== null && next.inheritsFromId !== undefined) {
      const parentId = next.inheritsFromId;
      if (parentId === next.id) throw ConflictError.field('inheritsFromId', 'a rate plan cannot inherit from itself', 'conflict');
      if (!(await this.repo.isAssignableTo(em, owner, parentId))) {
        throw ValidationError.field('inheritsFromId', "must be a rate plan of the owner's or one shared with the owner");
      }
      const chain = await this.repo.loadWithAncestors(em, [parentId]);
      // Walk the parent's chain: reaching this plan again would be a cycle.
      let id: number | null = parentId;
      const seen = new Set<number>();
      while (id !== null && !seen.has(id)) {
        if (id === next.id)
          throw ConflictError.field('inheritsFromId', 'this would make the rate plan inherit from itself (a cycle)', 'conflict');
        seen.add(id);
        id = chain.get(id)?.inheritsFromId ?? null;
      }
      const parent = chain.get(parentId)!;
      if (parent.currency !== next.currency) {
        throw ValidationError.field(
          !prev || next.inheritsFromId !== prev.inheritsFromId ? 'inheritsFromId' : 'currency',
          `the inherited plan is in ${parent.currency}; both plans must have the same currency`,
        );
      }
    }
  }

  /** Narrower sharing must not take the plan away from customers (or plans) already using it. */
  private async checkSharingNarrowing(em: EntityManager, plan: RatePlanEntity, sharing: Sharing): Promise<void> {
    const assigners = await this.repo.assignersOf(em, plan.id);
    const cut = assigners.filter((a) => !sharedWith(sharing, plan.ownerCustomerId, a));
    if (cut.length) {
      throw ConflictError.field(
        'sharing',
        `customers of ${cut.length} reseller(s) use this plan and would no longer be allowed to; move them first`,
        'in_use',
      );
    }
    const inheritors = (await this.repo.inheritorOwners(em, plan.id)).filter((i) => !sharedWith(sharing, plan.ownerCustomerId, i.owner));
    if (inheritors.length) {
      throw ConflictError.field(
        'sharing',
        `rate plan(s) ${inheritors.map((i) => i.planId).join(', ')} of other resellers inherit from this plan`,
        'in_use',
      );
    }
  }
}

/** Copies the nullable settings of a create/update body onto a plan row (undefined = leave, null = inherit). */
function applyFields(row: Partial<RatePlanEntity>, dto: RatePlanFieldsDto): void {
  const set = <K extends keyof RatePlanEntity>(key: K, value: RatePlanEntity[K] | undefined) => {
    if (value !== undefined) row[key] = value;
  };
  set('description', dto.description);
  set('inheritsFromId', dto.inheritsFromId);
  set('precision', dto.precision);
  set('includedSeconds', dto.includedSeconds);
  set('billingPeriod', dto.billingPeriod);
  set('dueDays', dto.dueDays);
  set('overdueDays', dto.overdueDays);
  set('deferBilling', dto.deferBilling);
  set('minimumContractMonths', dto.minimumContractMonths);
  set('externalCallerId', dto.externalCallerId);
  set('dialPlanId', dto.dialPlanId);
  set('invoiceDueDays', dto.invoiceDueDays);
  set('sendInvoices', dto.sendInvoices);
  set('invoiceFormat', dto.invoiceFormat);
  set('invoiceDetail', dto.invoiceDetail);
  if (dto.dailySpendLimit !== undefined) {
    row.dailySpendLimitMicros =
      dto.dailySpendLimit === null
        ? null
        : dto.dailySpendLimit === 'unlimited'
          ? String(UNLIMITED_MARK)
          : Money.of(dto.dailySpendLimit).toMicros();
  }
  if (dto.maxConcurrentCalls !== undefined) {
    row.maxConcurrentCalls = dto.maxConcurrentCalls === 'unlimited' ? UNLIMITED_MARK : dto.maxConcurrentCalls;
  }
  if (dto.fees) {
    for (const k of FEE_KEYS) {
      const v = dto.fees[k];
      if (v !== undefined) (row as Record<string, unknown>)[FEE_COLUMNS[k]] = v === null ? null : Money.of(v);
    }
  }
  if (dto.markups) {
    for (const k of MARKUP_KEYS) {
      const v = dto.markups[k];
      if (v !== undefined) (row as Record<string, unknown>)[MARKUP_COLUMNS[k]] = v === null ? null : new Dec(v);
    }
  }
}

const moneyText = (m: Money | null) => (m === null ? null : m.toString());

function spendLimitText(micros: string | number | null): string | null {
  if (micros === null || micros === undefined) return null;
  return String(micros) === String(UNLIMITED_MARK) ? 'unlimited' : Money.fromMicros(micros).toString();
}

export function toPlanDto(
  plan: RatePlanEntity,
  chain: RatePlanEntity[],
  editable: boolean,
  costPlanId: number | null,
  rateCount: number,
): RatePlanDto {
  const eff = resolvePlanSettings(chain);
  const markup = (k: (typeof MARKUP_KEYS)[number]) => {
    const v = plan[MARKUP_COLUMNS[k]] as Dec | null;
    return v === null ? null : percentText(v);
  };
  return {
    id: plan.id,
    ownerId: plan.ownerCustomerId,
    name: plan.name,
    description: plan.description,
    currency: plan.currency,
    sharing: plan.sharing,
    inheritsFromId: plan.inheritsFromId,
    precision: plan.precision,
    fees: {
      signup: moneyText(plan.signupFee),
      account: moneyText(plan.accountFee),
      perLine: moneyText(plan.lineFee),
      perNumber: moneyText(plan.numberFee),
    },
    includedSeconds: plan.includedSeconds,
    billingPeriod: plan.billingPeriod,
    dueDays: plan.dueDays,
    overdueDays: plan.overdueDays,
    deferBilling: plan.deferBilling,
    minimumContractMonths: plan.minimumContractMonths,
    markups: {
      outboundConnect: markup('outboundConnect'),
      outboundPerMinute: markup('outboundPerMinute'),
      outboundMessage: markup('outboundMessage'),
      inboundConnect: markup('inboundConnect'),
      inboundPerMinute: markup('inboundPerMinute'),
    },
    dailySpendLimit: spendLimitText(plan.dailySpendLimitMicros),
    maxConcurrentCalls:
      plan.maxConcurrentCalls === null ? null : plan.maxConcurrentCalls === UNLIMITED_MARK ? 'unlimited' : plan.maxConcurrentCalls,
    externalCallerId: plan.externalCallerId,
    dialPlanId: plan.dialPlanId,
    invoiceDueDays: plan.invoiceDueDays,
    sendInvoices: plan.sendInvoices,
    invoiceFormat: plan.invoiceFormat,
    invoiceDetail: plan.invoiceDetail,
    effective: {
      precision: eff.precision,
      fees: {
        signup: eff.fees.signup.toString(),
        account: eff.fees.account.toString(),
        perLine: eff.fees.perLine.toString(),
        perNumber: eff.fees.perNumber.toString(),
      },
      includedSeconds: eff.includedSeconds,
      billingPeriod: eff.billingPeriod,
      dueDays: eff.dueDays,
      overdueDays: eff.overdueDays,
      deferBilling: eff.deferBilling,
      minimumContractMonths: eff.minimumContractMonths,
      markups: {
        outboundConnect: percentText(eff.markups.outboundConnect),
        outboundPerMinute: percentText(eff.markups.outboundPerMinute),
        outboundMessage: percentText(eff.markups.outboundMessage),
        inboundConnect: percentText(eff.markups.inboundConnect),
        inboundPerMinute: percentText(eff.markups.inboundPerMinute),
      },
      dailySpendLimit: eff.dailySpendLimit === 'unlimited' ? 'unlimited' : eff.dailySpendLimit.toString(),
      maxConcurrentCalls: eff.maxConcurrentCalls,
      externalCallerId: eff.externalCallerId,
      dialPlanId: eff.dialPlanId,
      invoiceDueDays: eff.invoiceDueDays,
      sendInvoices: eff.sendInvoices,
      invoiceFormat: eff.invoiceFormat,
      invoiceDetail: eff.invoiceDetail,
    },
    editable,
    costPlan: plan.id === costPlanId,
    rateCount,
    createdAt: plan.createdAt.toISOString(),
    updatedAt: plan.updatedAt.toISOString(),
  };
}

/** The columns of a rate plan list exported as CSV, in this order. */
export const RATE_PLAN_CSV_HEADER = ['id', 'owner_id', 'name', 'description', 'currency', 'sharing', 'inherits_from_id', 'rate_count', 'cost_plan', 'editable'];
export function ratePlanCsvRow(p: RatePlanDto): string[] {
  return [
    String(p.id),
    String(p.ownerId),
    textCell(p.name),
    textCell(p.description),
    p.currency,
    p.sharing,
    p.inheritsFromId === null ? '' : String(p.inheritsFromId),
    String(p.rateCount),
    String(p.costPlan),
    String(p.editable),
  ];
}
