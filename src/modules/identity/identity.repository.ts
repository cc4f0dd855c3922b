import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { CustomerEntity } from '../customers/entities/customer.entity';
import { ApiKeyEntity } from './entities/api-key.entity';
import { PasswordTokenEntity } from './entities/password-token.entity';
import { PersonEntity } from './entities/person.entity';
import { SessionEntity } from './entities/session.entity';

/** The only place identity touches TypeORM. Reads customers for path and lock state only. */
@Injectable()
export class IdentityRepository {
  constructor(private readonly dataSource: DataSource) {}

  findPersonByUsername(username: string): Promise<PersonEntity | null> {
    return this.dataSource.getRepository(PersonEntity).findOneBy({ username, deletedAt: IsNull() });
  }
  findPerson(id: number): Promise<PersonEntity | null> {
    return this.dataSource.getRepository(PersonEntity).findOneBy({ id, deletedAt: IsNull() });
  }
  findLiveCustomer(id: number): Promise<CustomerEntity | null> {
    return this.dataSource.getRepository(CustomerEntity).findOneBy({ id, deletedAt: IsNull() });
  }
  /** True when the customer or any ancestor (ids on its path) is locked from the web. */
  async isWebLocked(path: string): Promise<boolean> {
    const ids = path.split('/').filter(Boolean).map(Number);
    const locked = await this.dataSource.getRepository(CustomerEntity).count({ where: { id: In(ids), lockedWeb: true } });
    return locked > 0;
  }
  async anyDeleted(path: string): Promise<boolean> {
    const ids = path.split('/').filter(Boolean).map(Number);
    const live = await this.dataSource.getRepository(CustomerEntity).count({ where: { id: In(ids), deletedAt: IsNull() } });
    return live !== ids.length;
  }

  findSession(tokenHash: string): Promise<SessionEntity | null> {
    return this.dataSource.getRepository(SessionEntity).findOneBy({ tokenHash });
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

  findApiKeyByHash(secretHash: string): Promise<ApiKeyEntity | null> {
    return this.dataSource.getRepository(ApiKeyEntity).findOneBy({ secretHash, revokedAt: IsNull() });
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
