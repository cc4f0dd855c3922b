import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { equalsIgnoringCase } from '../../database/ignoring-case';
import { insertRow } from '../../database/insert-row';
import { CustomerEntity } from '../customers/entities/customer.entity';
import { ApiKeyEntity } from './entities/api-key.entity';
import { PasswordTokenEntity } from './entities/password-token.entity';
import { PersonEntity, type Role } from './entities/person.entity';
import { SessionEntity } from './entities/session.entity';

/** Lock and delete state of the customers whose ids a materialised path lists. */
export interface PathState {
  /** A customer on the path is deleted (or missing). */
  anyDeleted: boolean;
  /** A customer on the path is locked from the web. */
  anyWebLocked: boolean;
}

/** Everything the guard needs about a session or API key, read in one statement. */
export interface LoginRow {
  /** Sessions only (null for API keys). */
  expiresAt: Date | null;
  actingCustomerId: number | null;
  /** API keys only (null for sessions). */
  keyId: number | null;
  lastUsedAt: Date | null;
  /** The person, if not deleted; with their own customer (deleted or not). */
  person: { id: number; role: Role } | null;
  own: { id: number; path: string; live: boolean } | null;
  /** The acting customer of the session, if it exists and is not deleted. */
  acting: { id: number; path: string } | null;
  /** Lock and delete state of `own.path`, or null when it must be asked with `pathState` (see below). */
  ownPathState: PathState | null;
}

const pathIdsOf = (path: string): number[] => path.split('/').filter(Boolean).map(Number);

/**
 * How many customers up from the person's own (itself included) the login statement reads: trees are
 * rarely deeper (system owner, resellers, their customers); a deeper one costs the guard one more statement.
 */
export const LOGIN_CHAIN_LEVELS = 8;

/**
 * One statement per login check (the guard runs it on every request). `x` is the session or API key row
 * whose hash is given. The person's customer and its ancestors are joined up the parent ids by primary
 * key, LOGIN_CHAIN_LEVELS deep (a fixed chain of joins: MariaDB runs a recursive CTE through temporary
 * tables, at about five times the cost); the ids met are returned with their deleted and web-locked flags,
 * and the answer is only used when they are exactly the ids of the materialised path, which is what
 * decides (otherwise, for a deeper customer or inconsistent parent ids, `pathState` asks by path).
 */
function loginSql(source: 'sessions' | 'api_keys'): string {
  const where = source === 'sessions' ? 'x.token_hash = ?' : 'x.secret_hash = ? AND x.revoked_at IS NULL';
  const own =
    source === 'sessions'
      ? 'x.expires_at, x.acting_customer_id, NULL AS key_id, NULL AS last_used_at, act.id AS act_id, act.path AS act_path'
      : 'NULL AS expires_at, NULL AS acting_customer_id, x.id AS key_id, x.last_used_at, NULL AS act_id, NULL AS act_path';
  const acting = source === 'sessions' ? 'LEFT JOIN customers act ON act.id = x.acting_customer_id AND act.deleted_at IS NULL' : '';
  const levels = Array.from({ length: LOGIN_CHAIN_LEVELS }, (_, i) => i);
  // Level 0 is the person's own customer; level i + 1 is level i's parent.
  const chainColumns = levels
    .map(
      (i) =>
        `c${i}.id AS c${i}_id, CASE WHEN c${i}.deleted_at IS NULL THEN 0 ELSE 1 END AS c${i}_deleted, ` +
        `CASE WHEN c${i}.locked_web = 1 THEN 1 ELSE 0 END AS c${i}_locked`,
    )
    .join(', ');
  const chainJoins = levels
    .slice(1)
    .map((i) => `LEFT JOIN customers c${i} ON c${i}.id = c${i - 1}.parent_id`)
    .join('\n      ');
  return `SELECT ${own}, p.id AS person_id, p.role AS person_role,
           c0.path AS own_path, c${LOGIN_CHAIN_LEVELS - 1}.parent_id AS beyond_id, ${chainColumns}
      FROM ${source} x
      LEFT JOIN people p ON p.id = x.person_id AND p.deleted_at IS NULL
      LEFT JOIN customers c0 ON c0.id = p.customer_id
      ${chainJoins}
      ${acting}
     WHERE ${where}`;
}
const SESSION_LOGIN_SQL = loginSql('sessions');
const API_KEY_LOGIN_SQL = loginSql('api_keys');

type RawLogin = Record<string, unknown>;

/** The customers the login statement met, own first, and their flags summed. */
function chainOf(r: RawLogin): { ids: number[]; deleted: number; locked: number; complete: boolean } {
  const ids: number[] = [];
  let deleted = 0;
  let locked = 0;
  for (let i = 0; i < LOGIN_CHAIN_LEVELS; i++) {
    const id = r[`c${i}_id`];
    if (id === null || id === undefined) break;
    ids.push(Number(id));
    deleted += Number(r[`c${i}_deleted`]);
    locked += Number(r[`c${i}_locked`]);
  }
  // Complete when the walk reached a customer without parent (it did not stop at the last level).
  const complete = ids.length < LOGIN_CHAIN_LEVELS || r.beyond_id === null || r.beyond_id === undefined;
  return { ids, deleted, locked, complete };
}

const intOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The walked chain answers for the path only if it was complete and met exactly the path's ids (each once). */
function chainIsPath(path: string, chain: ReturnType<typeof chainOf>): boolean {
  const ids = pathIdsOf(path);
  const metSet = new Set(chain.ids);
  return (
    chain.complete &&
    ids.length > 0 &&
    chain.ids.length === ids.length &&
    metSet.size === chain.ids.length &&
    new Set(ids).size === ids.length &&
    ids.every((id) => metSet.has(id))
  );
}

/** The only place identity touches TypeORM. Reads customers for path and lock state only. */
@Injectable()
export class IdentityRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A session by the hash of its token, with its person, customers and their lock state: one statement. */
  findSessionLogin(tokenHash: string): Promise<LoginRow | null> {
    return this.findLogin(SESSION_LOGIN_SQL, tokenHash);
  }

  /** An unrevoked API key by the hash of its secret, like `findSessionLogin`. */
  findApiKeyLogin(secretHash: string): Promise<LoginRow | null> {
    return this.findLogin(API_KEY_LOGIN_SQL, secretHash);
  }

  private async findLogin(sql: string, hash: string): Promise<LoginRow | null> {
    const rows = (await this.dataSource.query(sql, [hash])) as RawLogin[];
    const r = rows[0];
    if (!r) return null;
    const ownId = intOrNull(r.c0_id);
    const chain = chainOf(r);
    const ownPath = ownId === null ? null : String(r.own_path);
    const actId = intOrNull(r.act_id);
    const personId = intOrNull(r.person_id);
    return {
      expiresAt: this.instant(SessionEntity, 'expiresAt', r.expires_at),
      actingCustomerId: intOrNull(r.acting_customer_id),
      keyId: intOrNull(r.key_id),
      lastUsedAt: this.instant(ApiKeyEntity, 'lastUsedAt', r.last_used_at),
      person: personId === null ? null : { id: personId, role: String(r.person_role) as Role },
      own: ownId === null || ownPath === null ? null : { id: ownId, path: ownPath, live: Number(r.c0_deleted) === 0 },
      acting: actId === null ? null : { id: actId, path: String(r.act_path) },
      ownPathState:
        ownPath !== null && chainIsPath(ownPath, chain) ? { anyDeleted: chain.deleted > 0, anyWebLocked: chain.locked > 0 } : null,
    };
  }

  /** A raw datetime column value as the entity would hydrate it. */
  private instant(entity: typeof SessionEntity | typeof ApiKeyEntity, property: string, raw: unknown): Date | null {
    if (raw === null || raw === undefined) return null;
    const column = this.dataSource.getMetadata(entity).findColumnWithPropertyName(property)!;
    return this.dataSource.driver.prepareHydratedValue(raw, column) as Date;
  }

  /**
   * Whether any customer whose id the path lists is deleted (or missing), and whether any is locked from
   * the web: one statement.
   */
  async pathState(path: string): Promise<PathState> {
    const ids = pathIdsOf(path);
    // As TypeORM's In([]) answered before: no ids, nothing found deleted or locked (a path always has one).
    if (ids.length === 0) return { anyDeleted: false, anyWebLocked: false };
    const rows = (await this.dataSource.query(
      `SELECT SUM(CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END) AS live, SUM(CASE WHEN locked_web = 1 THEN 1 ELSE 0 END) AS locked
         FROM customers WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    )) as Array<{ live: unknown; locked: unknown }>;
    return { anyDeleted: Number(rows[0]?.live ?? 0) !== ids.length, anyWebLocked: Number(rows[0]?.locked ?? 0) > 0 };
  }

  /** A live person by login name, ignoring case on both databases (names are unique that way). */
  findPersonByUsername(username: string): Promise<PersonEntity | null> {
    return this.dataSource
      .getRepository(PersonEntity)
      .createQueryBuilder('p')
      .where(equalsIgnoringCase(this.dataSource.manager, 'p.username', 'username'), { username })
      .andWhere('p.deletedAt IS NULL')
      .getOne();
  }
  findPerson(id: number): Promise<PersonEntity | null> {
    return this.dataSource.getRepository(PersonEntity).findOneBy({ id, deletedAt: IsNull() });
  }
  findLiveCustomer(id: number): Promise<CustomerEntity | null> {
    return this.dataSource.getRepository(CustomerEntity).findOneBy({ id, deletedAt: IsNull() });
  }
  async insertSession(session: SessionEntity): Promise<void> {
    await this.dataSource.getRepository(SessionEntity).insert(session);
  }
  async deleteSession(tokenHash: string): Promise<void> {
    await this.dataSource.getRepository(SessionEntity).delete({ tokenHash });
  }
  /** Ends every session of the person except `keepTokenHash` (the one changing the password). */
  async deleteOtherSessions(em: EntityManager, personId: number, keepTokenHash: string | null): Promise<void> {
    const qb = em.createQueryBuilder().delete().from(SessionEntity).where('person_id = :personId', { personId });
    if (keepTokenHash) qb.andWhere('token_hash <> :keep', { keep: keepTokenHash });
    await qb.execute();
  }
  async setActingCustomer(tokenHash: string, customerId: number | null): Promise<void> {
    await this.dataSource.getRepository(SessionEntity).update({ tokenHash }, { actingCustomerId: customerId });
  }

  listApiKeys(personId: number): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({ where: { personId }, order: { id: 'DESC' } });
  }
  findApiKey(id: number, personId: number): Promise<ApiKeyEntity | null> {
    return this.dataSource.getRepository(ApiKeyEntity).findOneBy({ id, personId });
  }
  async insertApiKey(key: Partial<ApiKeyEntity>): Promise<ApiKeyEntity> {
    return this.dataSource.getRepository(ApiKeyEntity).save(key);
  }
  async touchApiKey(id: number, at: Date): Promise<void> {
    await this.dataSource.getRepository(ApiKeyEntity).update({ id }, { lastUsedAt: at });
  }
  async revokeApiKey(id: number, at: Date): Promise<void> {
    await this.dataSource.getRepository(ApiKeyEntity).update({ id }, { revokedAt: at });
  }

  async insertPasswordToken(em: EntityManager, token: Partial<PasswordTokenEntity>): Promise<void> {
    await insertRow(em, PasswordTokenEntity, token);
  }
  findPasswordToken(tokenHash: string): Promise<PasswordTokenEntity | null> {
    return this.dataSource.getRepository(PasswordTokenEntity).findOneBy({ tokenHash });
  }
  /** Marks the token used only if it still is unused: the affected-rows check makes it one-time. */
  async consumePasswordToken(em: EntityManager, id: number, at: Date): Promise<boolean> {
    const result = await em.update(PasswordTokenEntity, { id, usedAt: IsNull() }, { usedAt: at });
    return (result.affected ?? 0) === 1;
  }
  async setPasswordHash(em: EntityManager, personId: number, passwordHash: string, at: Date): Promise<void> {
    await em.update(PersonEntity, { id: personId }, { passwordHash, updatedAt: at });
  }
  async touchLogin(personId: number, at: Date): Promise<void> {
    await this.dataSource.getRepository(PersonEntity).update({ id: personId }, { lastLoginAt: at });
  }
}
