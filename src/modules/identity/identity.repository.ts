import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
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
const CUSTOMER_FLAGS = 'CASE WHEN c.deleted_at IS NULL THEN 0 ELSE 1 END, CASE WHEN c.locked_web = 1 THEN 1 ELSE 0 END';

/**
 * One statement per login check (the guard runs it on every request). `x` is the session or API key row
 * whose hash is given twice. The recursive part walks the person's customer up its parent ids (by primary
 * key) and sums the deleted and web-locked flags; the ids it met are returned too, and the answer is
 * only used when they are exactly the ids of the materialised path, which is what decides (otherwise
 * `pathState` asks by path). UNION, not UNION ALL: a parent cycle in bad data ends instead of looping.
 */
function loginSql(source: 'sessions' | 'api_keys'): string {
  const where = source === 'sessions' ? 'x.token_hash = ?' : 'x.secret_hash = ? AND x.revoked_at IS NULL';
  const own =
    source === 'sessions'
      ? 'x.expires_at, x.acting_customer_id, NULL AS key_id, NULL AS last_used_at, act.id AS act_id, act.path AS act_path'
      : 'NULL AS expires_at, NULL AS acting_customer_id, x.id AS key_id, x.last_used_at, NULL AS act_id, NULL AS act_path';
  const acting = source === 'sessions' ? 'LEFT JOIN customers act ON act.id = x.acting_customer_id AND act.deleted_at IS NULL' : '';
  return `WITH RECURSIVE chain (id, parent_id, deleted, locked) AS (
      SELECT c.id, c.parent_id, ${CUSTOMER_FLAGS}
        FROM ${source} x
        JOIN people p ON p.id = x.person_id AND p.deleted_at IS NULL
        JOIN customers c ON c.id = p.customer_id
       WHERE ${where}
      UNION
      SELECT c.id, c.parent_id, ${CUSTOMER_FLAGS}
        FROM chain JOIN customers c ON c.id = chain.parent_id
    )
    SELECT ${own}, p.id AS person_id, p.role AS person_role,
           own.id AS own_id, own.path AS own_path, CASE WHEN own.deleted_at IS NULL THEN 1 ELSE 0 END AS own_live,
           f.deleted AS chain_deleted, f.locked AS chain_locked, f.ids AS chain_ids
      FROM ${source} x
      LEFT JOIN people p ON p.id = x.person_id AND p.deleted_at IS NULL
      LEFT JOIN customers own ON own.id = p.customer_id
      ${acting}
     CROSS JOIN (SELECT SUM(deleted) AS deleted, SUM(locked) AS locked, GROUP_CONCAT(id) AS ids FROM chain) f
     WHERE ${where}`;
}
const SESSION_LOGIN_SQL = loginSql('sessions');
const API_KEY_LOGIN_SQL = loginSql('api_keys');

type RawLogin = Record<
  | 'expires_at'
  | 'acting_customer_id'
  | 'key_id'
  | 'last_used_at'
  | 'act_id'
  | 'act_path'
  | 'person_id'
  | 'person_role'
  | 'own_id'
  | 'own_path'
  | 'own_live'
  | 'chain_deleted'
  | 'chain_locked'
  | 'chain_ids',
  unknown
>;

const intOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The walked chain answers for the path only if it met exactly the path's ids (each once). */
function chainIsPath(path: string, chainIds: unknown): boolean {
  const ids = pathIdsOf(path);
  const met = chainIds === null || chainIds === undefined ? [] : String(chainIds).split(',').map(Number);
  const metSet = new Set(met);
  return (
    ids.length > 0 &&
    met.length === ids.length &&
    metSet.size === met.length &&
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
    const rows = (await this.dataSource.query(sql, [hash, hash])) as RawLogin[];
    const r = rows[0];
    if (!r) return null;
    const ownId = intOrNull(r.own_id);
    const ownPath = ownId === null ? null : String(r.own_path);
    const actId = intOrNull(r.act_id);
    const personId = intOrNull(r.person_id);
    return {
      expiresAt: this.instant(SessionEntity, 'expiresAt', r.expires_at),
      actingCustomerId: intOrNull(r.acting_customer_id),
      keyId: intOrNull(r.key_id),
      lastUsedAt: this.instant(ApiKeyEntity, 'lastUsedAt', r.last_used_at),
      person: personId === null ? null : { id: personId, role: String(r.person_role) as Role },
      own: ownId === null || ownPath === null ? null : { id: ownId, path: ownPath, live: Number(r.own_live) === 1 },
      acting: actId === null ? null : { id: actId, path: String(r.act_path) },
      ownPathState:
        ownPath !== null && chainIsPath(ownPath, r.chain_ids)
          ? { anyDeleted: Number(r.chain_deleted ?? 0) > 0, anyWebLocked: Number(r.chain_locked ?? 0) > 0 }
          : null,
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

  findPersonByUsername(username: string): Promise<PersonEntity | null> {
    return this.dataSource.getRepository(PersonEntity).findOneBy({ username, deletedAt: IsNull() });
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
    await em.insert(PasswordTokenEntity, token);
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
