import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isSqlite } from '../../database/dialect';
import { equalsIgnoringCase } from '../../database/ignoring-case';
import type { Scope } from '../../shared/scope';
import { PersonEntity } from './entities/person.entity';
import { IdentityRepository, type NewPersonRow } from './identity.repository';
import { IdentityService, MIN_PASSWORD_LENGTH } from './identity.service';

export { MIN_PASSWORD_LENGTH };
export { AuthGuard } from './auth.guard';

/** A person made together with its customer (the customer's first login). */
export type NewPerson = NewPersonRow;

/** A person as other modules see it. */
export interface PersonRef {
  id: number;
  customerId: number;
  username: string;
  displayName: string;
  email: string | null;
}

/**
 * What other modules may ask of identity. Methods that write take the caller's EntityManager, so the
 * rows are part of the caller's transaction (a customer and its first login commit or roll back together).
 */
@Injectable()
export class IdentityApi {
  constructor(
    private readonly identity: IdentityService,
    private readonly repo: IdentityRepository,
  ) {}

  /**
   * Inserts a person; returns its id. The caller has checked the name (usernameTakenSql). The same
   * insert as the people API's (IdentityRepository.insertPerson).
   */
  createPerson(em: EntityManager, p: NewPerson): Promise<number> {
    return this.repo.insertPerson(em, p);
  }

  /** A one-time set-password link for the person (valid SET_PASSWORD_LINK_HOURS), inside the caller's transaction. */
  issueSetPasswordLink(em: EntityManager, personId: number): Promise<{ url: string; expiresAt: Date }> {
    return this.identity.issueSetPasswordLink(em, personId);
  }

  /** "Switch to" a descendant for the rest of this web session (or back, with the own customer id). */
  switchTo(scope: Scope, sessionTokenHash: string, customerId: number): Promise<void> {
    return this.identity.switchTo(scope, sessionTokenHash, customerId);
  }

  async setDisplayName(em: EntityManager, personId: number, displayName: string, at: Date): Promise<void> {
    await em.update(PersonEntity, { id: personId }, { displayName, updatedAt: at });
  }

  /**
   * SQL (one `?` parameter: the name) answering 1 when a login name is taken, ignoring case, deleted
   * people included: for a caller that checks it inside a statement of its own (customer create).
   */
  usernameTakenSql(em: EntityManager): string {
    return `(SELECT 1 FROM people p WHERE p.username = ?${isSqlite(em) ? ' COLLATE NOCASE' : ''} LIMIT 1)`;
  }

  /** The customer of the live person with this login name (ignoring case), or null: for a customer search by username. */
  async customerOfLogin(em: EntityManager, username: string): Promise<number | null> {
    const row = await em
      .createQueryBuilder(PersonEntity, 'p')
      .select('p.customerId', 'customerId')
      .where(equalsIgnoringCase(em, 'p.username', 'username'), { username })
      .andWhere('p.deletedAt IS NULL')
      .getRawOne<{ customerId: unknown }>();
    return row ? Number(row.customerId) : null;
  }

  /** Each customer's first administrator (the person made with the customer), by customer id. */
  async firstAdministrators(em: EntityManager, customerIds: readonly number[]): Promise<Map<number, PersonRef>> {
    const out = new Map<number, PersonRef>();
    if (!customerIds.length) return out;
    const rows = await em
      .createQueryBuilder(PersonEntity, 'p')
      .where('p.customerId IN (:...ids) AND p.role = :role AND p.deletedAt IS NULL', { ids: [...customerIds], role: 'administrator' })
      .orderBy('p.id', 'ASC')
      .getMany();
    for (const p of rows) {
      if (!out.has(p.customerId)) {
        out.set(p.customerId, { id: p.id, customerId: p.customerId, username: p.username, displayName: p.displayName, email: p.email });
      }
    }
    return out;
  }

  /** People by id, deleted ones too (an audit entry keeps naming who did it). */
  async peopleByIds(em: EntityManager, ids: readonly number[]): Promise<Map<number, PersonRef>> {
    const out = new Map<number, PersonRef>();
    if (!ids.length) return out;
    const rows = await em
      .createQueryBuilder(PersonEntity, 'p')
      .where('p.id IN (:...ids)', { ids: [...new Set(ids)] })
      .getMany();
    for (const p of rows)
      out.set(p.id, { id: p.id, customerId: p.customerId, username: p.username, displayName: p.displayName, email: p.email });
    return out;
  }

  /** The person with this login name (ignoring case; deleted people too, their names stay taken), or null. */
  async personIdByLogin(em: EntityManager, username: string): Promise<number | null> {
    const row = await em
      .createQueryBuilder(PersonEntity, 'p')
      .select('p.id', 'id')
      .where(equalsIgnoringCase(em, 'p.username', 'username'), { username })
      .getRawOne<{ id: unknown }>();
    return row ? Number(row.id) : null;
  }
}
