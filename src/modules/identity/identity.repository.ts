import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { equalsIgnoringCase } from '../../database/ignoring-case';
import { insertRow } from '../../database/insert-row';
import { CustomerDirectory, type CustomerChainSql, type PathState } from '../../shared/customer-directory';
import type { Role } from '../../shared/scope';
import { throttleKey, ThrottleService } from '../../shared/throttle.service';
import { ApiKeyEntity } from './entities/api-key.entity';
import { PasswordTokenEntity } from './entities/password-token.entity';
import { PersonEntity } from './entities/person.entity';
import { SessionEntity } from './entities/session.entity';

/** Everything the guard needs about a session or API key, read in one statement. */
export interface LoginRow {
  /** Sessions only (null for API keys). */
  expiresAt: Date | null;
  actingCustomerId: number | null;
  /** API keys only (null for sessions). */
  keyId: number | null;
  lastUsedAt: Date | null;
  /** The person, if not deleted; with their own customer (deleted or not). */
  person: { id: number; role: Role; name: string } | null;
  own: { id: number; path: string; live: boolean } | null;
  /** The acting customer of the session, if it exists and is not deleted. */
  acting: { id: number; path: string } | null;
  /** Lock and delete state of `own.path`, or null when it must be asked with `pathState` (see below). */
  ownPathState: PathState | null;
  /** API keys only: the client address's throttle bucket is blocked (ThrottleService.blockedSql). */
  addressBlocked: boolean;
}

/** A row of `people` as written: the one insert of a person (people API, customer create, ...). */
export interface NewPersonRow {
  customerId: number;
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  /** Null: the person sets it through an emailed one-time link. */
  passwordHash: string | null;
  at: Date;
}

/**
 * How many customers up from the person's own (itself included) the login statement reads: trees are
 * rarely deeper (system owner, resellers, their customers); a deeper one costs the guard one more statement.
 */
export const LOGIN_CHAIN_LEVELS = 8;

/**
 * One statement per login check (the guard runs it on every request). `x` is the session or API key row
 * whose hash is given, `p` its person. The person's customer and its ancestors are joined by the
 * customers module's SQL (CustomerDirectory.chainSql: LOGIN_CHAIN_LEVELS deep; its `read` says when the
 * chain answers for the whole materialised path, otherwise `pathState` asks by path), and for a session
 * the live acting customer as `act` (liveCustomerJoin). Identity writes no SQL of the customers table.
 */
function loginSql(source: 'sessions' | 'api_keys', chain: CustomerChainSql, blockedSql = ''): string {
  const where = source === 'sessions' ? 'x.token_hash = ?' : 'x.secret_hash = ? AND x.revoked_at IS NULL';
  const own =
    source === 'sessions'
      ? `x.expires_at, x.acting_customer_id, NULL AS key_id, NULL AS last_used_at, ${chain.liveCustomerColumns('act')}`
      : `NULL AS expires_at, NULL AS acting_customer_id, x.id AS key_id, x.last_used_at, NULL AS act_id, NULL AS act_path, ${blockedSql} AS address_blocked`;
  const acting = source === 'sessions' ? chain.liveCustomerJoin('act', 'x.acting_customer_id') : '';
  return `SELECT ${own}, p.id AS person_id, p.role AS person_role, COALESCE(NULLIF(p.display_name, ''), p.username) AS person_name,
           ${chain.columns}
      FROM ${source} x
      LEFT JOIN people p ON p.id = x.person_id AND p.deleted_at IS NULL
      ${chain.joins('p.customer_id')}
      ${acting}
     WHERE ${where}`;
}

type RawLogin = Record<string, unknown>;

const intOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * The only place identity touches TypeORM. Customers are read through the CustomerDirectory port only
 * (their path and lock state), never as rows of their table.
 */
@Injectable()
export class IdentityRepository {
  private readonly chain: CustomerChainSql;
  private readonly sessionLoginSql: string;
  private readonly apiKeyLoginSql: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly customers: CustomerDirectory,
    private readonly throttle: ThrottleService,
  ) {
    this.chain = customers.chainSql(LOGIN_CHAIN_LEVELS);
    this.sessionLoginSql = loginSql('sessions', this.chain);
    this.apiKeyLoginSql = loginSql('api_keys', this.chain, throttle.blockedSql());
  }

  /** A session by the hash of its token, with its person, customers and their lock state: one statement. */
  findSessionLogin(tokenHash: string): Promise<LoginRow | null> {
    return this.findLogin(this.sessionLoginSql, [tokenHash]);
  }

  /**
   * An unrevoked API key by the hash of its secret, like `findSessionLogin`, with whether the throttle
   * bucket `addressKey` (the client address's) is blocked: still one statement.
   */
  findApiKeyLogin(secretHash: string, addressKey: string): Promise<LoginRow | null> {
    return this.findLogin(this.apiKeyLoginSql, [throttleKey(addressKey), this.throttle.nowSql(), secretHash]);
  }

  private async findLogin(sql: string, params: unknown[]): Promise<LoginRow | null> {
    const rows = (await this.dataSource.query(sql, params)) as RawLogin[];
    const r = rows[0];
    if (!r) return null;
    const own = this.chain.read(r);
    const actId = intOrNull(r.act_id);
    const personId = intOrNull(r.person_id);
    return {
      expiresAt: this.instant(SessionEntity, 'expiresAt', r.expires_at),
      actingCustomerId: intOrNull(r.acting_customer_id),
      keyId: intOrNull(r.key_id),
      lastUsedAt: this.instant(ApiKeyEntity, 'lastUsedAt', r.last_used_at),
      person: personId === null ? null : { id: personId, role: String(r.person_role) as Role, name: String(r.person_name) },
      own: own === null ? null : { id: own.id, path: own.path, live: own.live },
      acting: actId === null ? null : { id: actId, path: String(r.act_path) },
      ownPathState: own?.pathState ?? null,
      addressBlocked: r.address_blocked !== null && r.address_blocked !== undefined,
    };
  }

  /** A raw datetime column value as the entity would hydrate it. */
  private instant(entity: typeof SessionEntity | typeof ApiKeyEntity, property: string, raw: unknown): Date | null {
    if (raw === null || raw === undefined) return null;
    const column = this.dataSource.getMetadata(entity).findColumnWithPropertyName(property)!;
    return this.dataSource.driver.prepareHydratedValue(raw, column) as Date;
  }

  /** Whether any customer on the path is deleted (or missing) or locked from the web: one statement. */
  pathState(path: string): Promise<PathState> {
    return this.customers.pathState(this.dataSource.manager, path);
  }

  /** A customer by id if it exists and is not deleted (its id and path: all identity asks of it). */
  async findLiveCustomer(id: number): Promise<{ id: number; path: string } | null> {
    const customer = await this.customers.find(this.dataSource.manager, id);
    return customer && !customer.deleted ? { id: customer.id, path: customer.path } : null;
  }

  /** Inserts a person (the one write of a new `people` row); returns its id. */
  insertPerson(em: EntityManager, p: NewPersonRow): Promise<number> {
    return insertRow(em, PersonEntity, {
      customerId: p.customerId,
      username: p.username,
      displayName: p.displayName,
      email: p.email,
      role: p.role,
      passwordHash: p.passwordHash,
      lastLoginAt: null,
      deletedAt: null,
      createdAt: p.at,
      updatedAt: p.at,
    });
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
