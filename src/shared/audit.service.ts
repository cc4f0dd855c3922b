import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { insertRow } from '../database/insert-row';
import { Clock } from './clock';
import { AuditEntryEntity } from './entities/audit-entry.entity';
import type { Scope } from './scope';

export interface AuditRecord {
  action: string;
  entityType: string;
  entityId?: string | number | null;
  /** The customer the change concerns; defaults to the scope's acting customer. */
  customerId?: number | null;
  details?: Record<string, unknown>;
}

/** Append-only audit log. Write it in the same transaction as the change (pass the EntityManager). */
@Injectable()
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async record(scope: Scope | null, entry: AuditRecord, em: EntityManager = this.dataSource.manager): Promise<void> {
    await insertRow(em, AuditEntryEntity, {
      at: this.clock.now(),
      actorPersonId: scope?.personId ?? null,
      actorCustomerId: scope?.personCustomerId ?? null,
      customerId: entry.customerId ?? scope?.customerId ?? null,
      actingAsCustomerId: scope?.switched ? scope.customerId : null,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId == null ? null : String(entry.entityId),
      details: entry.details ? JSON.stringify(entry.details) : null,
    });
  }
}
