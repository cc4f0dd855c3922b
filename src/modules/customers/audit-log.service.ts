import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { sqlInstant } from '../../database/sql-instant';
import { AuditEntryEntity } from '../../shared/entities/audit-entry.entity';
import { ForbiddenError, ValidationError } from '../../shared/errors';
import { isInSubtree, subtreePattern, type Scope } from '../../shared/scope';
import { isSystemOwnerAdmin } from '../../shared/system-owner';
import { isIsoInstant } from '../../shared/validation';
import { IdentityApi } from '../identity/identity.api';
import { CustomerEntity } from './entities/customer.entity';

/** The filters of the audit page (all optional). `from` is inclusive, `to` exclusive (UTC instants). */
export interface AuditFilter {
  customerId?: number;
  /** A login name (ignoring case): the entries that person made. */
  actor?: string;
  from?: string;
  to?: string;
}

/** One entry as the page and its CSV show it: names, not ids. */
export interface AuditRow {
  id: number;
  at: Date;
  /** Who did it: "Jane Doe (jane)"; a person outside the viewer's tree is named by their customer only. */
  actor: string;
  actorCustomerId: number | null;
  /** The customer the actor had switched to, when they acted as it. */
  actingAsName: string | null;
  customerId: number | null;
  customerName: string;
  action: string;
  entityType: string;
  entityId: string | null;
  details: string;
}

/**
 * Reads the audit log (`audit_log`, written by the kernel's AuditService in the same transaction as each
 * change) for the audit page: the entries about customers of the viewer's subtree, newest first. It lives
 * in the customers module because "the viewer's subtree" is a join on the customer tree's paths, and names
 * need the tree (customers) and the people (identity, a lower layer).
 *
 * An entry about no customer (a background job's) shows to the system owner's administrators only.
 */
@Injectable()
export class AuditLogService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly identity: IdentityApi,
  ) {}

  /** Administrators only: entries name people and their addresses. */
  private assertAllowed(scope: Scope): void {
    if (scope.role !== 'administrator') throw new ForbiddenError('only administrators can read the audit log');
  }

  async page(scope: Scope, filter: AuditFilter, page: number, pageSize: number): Promise<{ items: AuditRow[]; total: number }> {
    this.assertAllowed(scope);
    const em = this.dataSource.manager;
    const query = await this.query(em, scope, filter);
    if (query === null) return { items: [], total: 0 };
    const total = await query.clone().getCount();
    const rows = await query
      .orderBy('a.id', 'DESC')
      .offset((page - 1) * pageSize)
      .limit(pageSize)
      .getMany();
    return { items: await this.describe(em, scope, rows), total };
  }

  /** Every matching entry, newest first, `size` at a time (keyset on the id): for the CSV download. */
  async *slices(scope: Scope, filter: AuditFilter, size = 500): AsyncGenerator<AuditRow[]> {
    this.assertAllowed(scope);
    const em = this.dataSource.manager;
    const query = await this.query(em, scope, filter);
    if (query === null) return;
    let before: number | null = null;
    for (;;) {
      const q = query.clone().orderBy('a.id', 'DESC').limit(size);
      if (before !== null) q.andWhere('a.id < :before', { before });
      const rows = await q.getMany();
      if (rows.length) yield await this.describe(em, scope, rows);
      if (rows.length < size) return;
      before = rows[rows.length - 1].id;
    }
  }

  /** Null when the filter can match nothing (an unknown login name). Throws 400 for bad dates. */
  private async query(em: EntityManager, scope: Scope, filter: AuditFilter): Promise<SelectQueryBuilder<AuditEntryEntity> | null> {
    const bad = (['from', 'to'] as const).filter((k) => filter[k] !== undefined && !isIsoInstant(filter[k]));
    if (bad.length) {
      const message = 'must be a date (2026-11-01) or a date and time in UTC (2026-11-01 08:00)';
      throw new ValidationError(
        bad.map((f) => `${f}: ${message}`).join('; '),
        bad.map((field) => ({ field, message })),
      );
    }
    const q = em
      .createQueryBuilder(AuditEntryEntity, 'a')
      .leftJoin(CustomerEntity, 'c', 'c.id = a.customerId')
      .where(isSystemOwnerAdmin(scope) ? '(c.path LIKE :subtree OR a.customerId IS NULL)' : 'c.path LIKE :subtree', {
        subtree: subtreePattern(scope.customerPath),
      });
    if (filter.customerId !== undefined) q.andWhere('a.customerId = :customerId', { customerId: filter.customerId });
    if (filter.actor !== undefined) {
      const personId = await this.identity.personIdByLogin(em, filter.actor);
      if (personId === null) return null;
      q.andWhere('a.actorPersonId = :personId', { personId });
    }
    if (filter.from !== undefined) q.andWhere('a.at >= :from', { from: sqlInstant(new Date(filter.from)) });
    if (filter.to !== undefined) q.andWhere('a.at < :to', { to: sqlInstant(new Date(filter.to)) });
    return q;
  }

  /** Names for the entries: people (by id, deleted ones too) and customers (the entry's, the actor's, the switched-to). */
  private async describe(em: EntityManager, scope: Scope, rows: AuditEntryEntity[]): Promise<AuditRow[]> {
    const people = await this.identity.peopleByIds(
      em,
      rows.map((r) => r.actorPersonId).filter((id): id is number => id !== null),
    );
    const customerIds = new Set<number>();
    for (const r of rows) for (const id of [r.customerId, r.actorCustomerId, r.actingAsCustomerId]) if (id !== null) customerIds.add(id);
    const customers = customerIds.size
      ? await em
          .createQueryBuilder(CustomerEntity, 'c')
          .select(['c.id', 'c.name', 'c.path'])
          .where('c.id IN (:...ids)', { ids: [...customerIds] })
          .getMany()
      : [];
    const byId = new Map(customers.map((c) => [c.id, c]));
    return rows.map((r) => {
      const person = r.actorPersonId === null ? undefined : people.get(r.actorPersonId);
      const actorCustomer = r.actorCustomerId === null ? undefined : byId.get(r.actorCustomerId);
      let actor: string;
      if (r.actorPersonId === null) actor = 'the system';
      else if (actorCustomer && isInSubtree(scope.customerPath, actorCustomer.path) && person) {
        actor = `${person.displayName} (${person.username})`;
      } else {
        // Someone of a customer above the viewer (its provider): named by that customer, not by person.
        actor = actorCustomer ? `staff of ${actorCustomer.name}` : 'your provider';
      }
      return {
        id: r.id,
        at: r.at,
        actor,
        actorCustomerId: actorCustomer && isInSubtree(scope.customerPath, actorCustomer.path) ? actorCustomer.id : null,
        actingAsName: r.actingAsCustomerId === null ? null : (byId.get(r.actingAsCustomerId)?.name ?? `#${r.actingAsCustomerId}`),
        customerId: r.customerId,
        customerName: r.customerId === null ? '—' : (byId.get(r.customerId)?.name ?? `#${r.customerId}`),
        action: r.action,
        entityType: r.entityType,
        entityId: r.entityId,
        details: detailsText(r.details),
      };
    });
  }
}

/** "customer_created" → "Customer created". */
export function actionLabel(action: string): string {
  const words = action.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The stored JSON details as "key: value; key: value" (arrays joined with commas, nested objects as JSON). */
export function detailsText(details: string | null): string {
  if (!details) return '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return details;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return JSON.stringify(parsed);
  return Object.entries(parsed as Record<string, unknown>)
    .map(
      ([k, v]) =>
        `${k}: ${Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`,
    )
    .join('; ');
}
