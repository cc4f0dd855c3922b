import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { equalsIgnoringCase } from '../../database/ignoring-case';
import { isUniqueViolation, TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { Clock } from '../../shared/clock';
import { CustomerDirectory, type CustomerRef } from '../../shared/customer-directory';
import { ConflictError, type FieldError, NotFoundError } from '../../shared/errors';
import { FieldProblems } from '../../shared/field-problems';
import { sortOrder, textCell } from '../../shared/http/list-query';
import { Page, pageParams } from '../../shared/pagination';
import type { Role, Scope } from '../../shared/scope';
import { hashSecret } from '../../shared/secrets';
import { OutboxService } from '../notifications/notifications.api';
import { PEOPLE_SORTS, type CreatedPersonDto, type PeopleSort, type PersonDto } from './dto/people.dto';
import { ApiKeyEntity } from './entities/api-key.entity';
import { PasswordTokenEntity } from './entities/password-token.entity';
import { PersonEntity } from './entities/person.entity';
import { SessionEntity } from './entities/session.entity';
import { IdentityRepository } from './identity.repository';
import { assertPasswordStrength, IdentityService } from './identity.service';

export interface PeopleQuery {
  search?: string;
  role?: Role;
  /** A PEOPLE_SORTS column, `-column` descending; username by default. */
  sort?: string;
  page?: number;
  pageSize?: number;
}

const PEOPLE_SORT_SQL: Record<PeopleSort, string> = {
  username: 'p.username',
  displayName: 'p.displayName',
  email: 'p.email',
  role: 'p.role',
  lastLoginAt: 'p.lastLoginAt',
  createdAt: 'p.createdAt',
};

/** The columns of a people list exported as CSV, in this order. */
export const PEOPLE_CSV_HEADER = ['id', 'customer_id', 'username', 'display_name', 'email', 'role', 'password_set', 'last_login_at', 'created_at'];

export function personCsvRow(p: PersonDto): string[] {
  return [
    String(p.id),
    String(p.customerId),
    textCell(p.username),
    textCell(p.displayName),
    textCell(p.email),
    p.role,
    String(p.passwordSet),
    p.lastLoginAt ?? '',
    p.createdAt,
  ];
}
export interface CreatePersonInput {
  username: string;
  displayName: string;
  email?: string | null;
  role: Role;
  password?: string | null;
}
export interface UpdatePersonInput {
  displayName?: string;
  /** undefined = unchanged; null = none. */
  email?: string | null;
  role?: Role;
  password?: string;
}

const USERNAME_COLUMN_LENGTH = 100;

export function toPersonDto(p: PersonEntity): PersonDto {
  return {
    id: p.id,
    customerId: p.customerId,
    username: p.username,
    displayName: p.displayName,
    email: p.email,
    role: p.role,
    passwordSet: p.passwordHash !== null,
    lastLoginAt: p.lastLoginAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

/** LIKE "contains" with `!` as the escape character, which needs no dialect-specific SQL literal. */
function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * The people (logins) of a customer. Usernames are unique on the whole platform; a deleted person's
 * username is released (the row keeps "#<id>#<username>") and its logins and API keys end at once.
 */
@Injectable()
export class PeopleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly identity: IdentityService,
    private readonly repo: IdentityRepository,
    private readonly outbox: OutboxService,
    private readonly customers: CustomerDirectory,
  ) {}

  private get reader(): EntityManager {
    return this.dataSource.manager;
  }

  /** The live customer if it lies in the scope's subtree, else NotFoundError (for pages that show its name). */
  customerInScope(scope: Scope, customerId: number): Promise<CustomerRef> {
    return this.customers.findInScope(this.reader, scope, customerId);
  }

  async list(scope: Scope, customerId: number, query: PeopleQuery = {}): Promise<Page<PersonDto>> {
    const em = this.reader;
    const customer = await this.customers.findInScope(em, scope, customerId);
    const { page, pageSize, skip } = pageParams(query);
    const qb = em
      .createQueryBuilder(PersonEntity, 'p')
      .where('p.customerId = :customerId AND p.deletedAt IS NULL', { customerId: customer.id });
    if (query.search) {
      qb.andWhere("(p.username LIKE :like ESCAPE '!' OR p.displayName LIKE :like ESCAPE '!' OR p.email LIKE :like ESCAPE '!')", {
        like: containsPattern(query.search),
      });
    }
    if (query.role) qb.andWhere('p.role = :role', { role: query.role });
    const sort = sortOrder(query.sort, PEOPLE_SORTS, 'username');
    const dir = sort.descending ? 'DESC' : 'ASC';
    const [rows, total] = await qb
      .orderBy(PEOPLE_SORT_SQL[sort.column], dir)
      .addOrderBy('p.id', dir)
      .skip(skip)
      .take(pageSize)
      .getManyAndCount();
    return { items: rows.map(toPersonDto), page, pageSize, total };
  }

  async get(scope: Scope, customerId: number, personId: number): Promise<PersonDto> {
    const em = this.reader;
    const customer = await this.customers.findInScope(em, scope, customerId);
    return toPersonDto(await this.findLivePerson(em, customer.id, personId));
  }

  /**
   * With a password the person can log in at once and nothing is emailed; without one, a one-time
   * set-password link is emailed (through the outbox, in the same transaction).
   */
  /**
   * Adds a person. `earlier`: the request's format problems (validatePartial), whose fields `input` leaves
   * out; the checks of the rest (password strength, email needed, login name free) run too and every problem
   * is answered at once before anything is written (issue #14).
   */
  async create(scope: Scope, customerId: number, input: CreatePersonInput, earlier: readonly FieldError[] = []): Promise<CreatedPersonDto> {
    const problems = new FieldProblems(earlier);
    const email = input.email ?? null;
    const password = input.password ?? null;
    if (password !== null) await problems.check('password', () => assertPasswordStrength(password));
    else if (email === null && !problems.has('email') && !problems.has('password'))
      problems.add('email', 'is required when no password is given (the login details are emailed)');
    const passwordHash = password !== null && !problems.any ? await hashSecret(password) : null;
    try {
      return await this.tx.run(async (em) => {
        const customer = await this.customers.lockLiveInScope(em, scope, customerId);
        const username = input.username as string | undefined;
        if (username !== undefined) await problems.check('username', () => this.assertUsernameFree(em, username));
        problems.throwIfAny();
        const id = await this.repo.insertPerson(em, {
          customerId: customer.id,
          username: input.username,
          displayName: input.displayName,
          email,
          role: input.role,
          passwordHash,
          at: this.clock.now(),
        });
        const person = (await em.findOneBy(PersonEntity, { id }))!;
        await this.audit.record(
          scope,
          {
            action: 'person_created',
            entityType: 'person',
            entityId: person.id,
            customerId: customer.id,
            details: { username: person.username, role: person.role },
          },
          em,
        );
        const loginLinkSent = passwordHash === null;
        if (loginLinkSent) await this.emailLoginLink(em, scope, customer, person);
        return { ...toPersonDto(person), loginLinkSent };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw ConflictError.field('username', 'this username is already taken');
      throw err;
    }
  }

  /** Changes a person; `earlier` as for create: every problem of the request is answered at once. */
  async update(
    scope: Scope,
    customerId: number,
    personId: number,
    input: UpdatePersonInput,
    earlier: readonly FieldError[] = [],
  ): Promise<PersonDto> {
    const problems = new FieldProblems(earlier);
    const password = input.password;
    if (password !== undefined) await problems.check('password', () => assertPasswordStrength(password));
    const passwordHash = password !== undefined && !problems.any ? await hashSecret(password) : undefined;
    return this.tx.run(async (em) => {
      const customer = await this.lockCustomer(em, scope, customerId);
      const person = await this.findLivePerson(em, customer.id, personId);
      const patch: Partial<PersonEntity> = {};
      if (input.displayName !== undefined) patch.displayName = input.displayName;
      if (input.email !== undefined) patch.email = input.email;
      if (input.role !== undefined && input.role !== person.role) {
        const role = input.role;
        if (person.role === 'administrator') {
          await problems.check('role', () => this.assertNotLastAdministrator(em, customer.id, person.id), 'a customer must keep at least one administrator');
        }
        patch.role = role;
      }
      problems.throwIfAny();
      if (passwordHash !== undefined) patch.passwordHash = passwordHash;
      if (!Object.keys(patch).length) return toPersonDto(person);
      patch.updatedAt = this.clock.now();
      await em.update(PersonEntity, { id: person.id }, patch);
      if (passwordHash !== undefined) {
        // A password set by an administrator replaces any pending link, and other people's open logins end.
        await this.retirePasswordLinks(em, person.id);
        if (person.id !== scope.personId) await em.delete(SessionEntity, { personId: person.id });
      }
      const { passwordHash: _hash, updatedAt: _at, ...changed } = patch;
      await this.audit.record(
        scope,
        {
          action: 'person_updated',
          entityType: 'person',
          entityId: person.id,
          customerId: customer.id,
          details: { username: person.username, ...changed, ...(passwordHash !== undefined ? { passwordChanged: true } : {}) },
        },
        em,
      );
      return toPersonDto({ ...person, ...patch });
    });
  }

  /** Soft delete. Refused for yourself and for a customer's last administrator. */
  async remove(scope: Scope, customerId: number, personId: number): Promise<void> {
    await this.tx.run(async (em) => {
      const customer = await this.lockCustomer(em, scope, customerId);
      const person = await this.findLivePerson(em, customer.id, personId);
      if (person.id === scope.personId) throw new ConflictError('you cannot delete yourself');
      if (person.role === 'administrator') await this.assertNotLastAdministrator(em, customer.id, person.id);
      const now = this.clock.now();
      await em.update(
        PersonEntity,
        { id: person.id },
        { deletedAt: now, updatedAt: now, username: `#${person.id}#${person.username}`.slice(0, USERNAME_COLUMN_LENGTH) },
      );
      const sessions = await em.delete(SessionEntity, { personId: person.id });
      await em.update(ApiKeyEntity, { personId: person.id, revokedAt: IsNull() }, { revokedAt: now });
      await this.retirePasswordLinks(em, person.id);
      await this.audit.record(
        scope,
        {
          action: 'person_deleted',
          entityType: 'person',
          entityId: person.id,
          customerId: customer.id,
          details: { username: person.username, sessionsEnded: sessions.affected ?? 0 },
        },
        em,
      );
    });
  }

  /** Emails a new one-time set-password link (earlier unused links stop working). */
  async sendLoginLink(scope: Scope, customerId: number, personId: number): Promise<{ to: string; expiresAt: string }> {
    return this.tx.run(async (em) => {
      const customer = await this.customers.findInScope(em, scope, customerId);
      const person = await this.findLivePerson(em, customer.id, personId);
      if (!person.email) throw ConflictError.field('email', 'this person has no email address');
      await this.retirePasswordLinks(em, person.id);
      const expiresAt = await this.emailLoginLink(em, scope, customer, person);
      return { to: person.email, expiresAt: expiresAt.toISOString() };
    });
  }

  // --- helpers ---------------------------------------------------------------------------------

  private async emailLoginLink(em: EntityManager, scope: Scope, customer: CustomerRef, person: PersonEntity): Promise<Date> {
    const link = await this.identity.issueSetPasswordLink(em, person.id);
    // The mail comes from the customer's provider, its parent (the system owner mails its own people itself):
    // its name and logo, read in the one statement that used to read only the name.
    const issuer = customer.parentId === null ? customer : ((await this.customers.find(em, customer.parentId)) ?? customer);
    await this.outbox.enqueue(em, {
      customerId: customer.id,
      to: person.email!,
      subject: 'Your login details',
      template: 'login-details',
      context: {
        customerName: customer.name,
        username: person.username,
        setPasswordUrl: link.url,
        expiresAt: link.expiresAt.toISOString(),
        passwordWasSet: false,
        personName: person.displayName,
        issuerName: issuer.name,
        issuerLogoUrl: issuer.logoUrl,
      },
    });
    await this.audit.record(
      scope,
      { action: 'login_link_sent', entityType: 'person', entityId: person.id, customerId: customer.id, details: { to: person.email } },
      em,
    );
    return link.expiresAt;
  }

  private async retirePasswordLinks(em: EntityManager, personId: number): Promise<void> {
    await em.update(PasswordTokenEntity, { personId, usedAt: IsNull() }, { usedAt: this.clock.now() });
  }

  private async findLivePerson(em: EntityManager, customerId: number, personId: number): Promise<PersonEntity> {
    const person = await em.findOneBy(PersonEntity, { id: personId, customerId, deletedAt: IsNull() });
    if (!person) throw new NotFoundError('person');
    return person;
  }

  /** Ignoring case, through the unique index (equalsIgnoringCase). */
  private async assertUsernameFree(em: EntityManager, username: string): Promise<void> {
    const taken = await em
      .createQueryBuilder(PersonEntity, 'p')
      .where(equalsIgnoringCase(em, 'p.username', 'username'), { username })
      .getCount();
    if (taken) throw ConflictError.field('username', 'this username is already taken');
  }

  private async assertNotLastAdministrator(em: EntityManager, customerId: number, personId: number): Promise<void> {
    const others = await em
      .createQueryBuilder(PersonEntity, 'p')
      .where("p.customerId = :customerId AND p.role = 'administrator' AND p.deletedAt IS NULL AND p.id <> :personId", {
        customerId,
        personId,
      })
      .getCount();
    if (others === 0) throw new ConflictError('a customer must keep at least one administrator');
  }

  /**
   * The customer, with its people's rows locked on MariaDB/MySQL (identity's own rows: the customers
   * table belongs to another module) so that two administrators removing each other at the same moment
   * cannot leave it without one (SQLite runs one transaction at a time anyway). Every change that could
   * remove a customer's last administrator takes this lock first, so they run one after the other; the
   * index on customer_id makes it lock that customer's people (and the gap after them), not the table.
   * The lock is the transaction's first read on purpose: InnoDB takes the snapshot for plain SELECTs at
   * the first non-locking read, so the counts that follow see what the other transaction committed.
   */
  private async lockCustomer(em: EntityManager, scope: Scope, customerId: number): Promise<CustomerRef> {
    if (!this.tx.isSqlite && Number.isSafeInteger(customerId)) {
      await em
        .createQueryBuilder(PersonEntity, 'p')
        .select('p.id')
        .where('p.customerId = :customerId', { customerId })
        .setLock('pessimistic_write')
        .getRawMany();
    }
    return this.customers.findInScope(em, scope, customerId);
  }
}
