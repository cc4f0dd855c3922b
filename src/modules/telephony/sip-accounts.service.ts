import { Injectable } from '@nestjs/common';
import { isUniqueViolation, TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { Clock } from '../../shared/clock';
import { ConflictError, type FieldError, NotFoundError, ValidationError } from '../../shared/errors';
import { FieldProblems } from '../../shared/field-problems';
import { Page, pageParams } from '../../shared/pagination';
import type { Scope } from '../../shared/scope';
import { CustomerDirectory } from '../../shared/customer-directory';
import { randomPassword } from '../../shared/secrets';
import { GENERATED_SECRET_LENGTH, retiredIdentifier } from './domain/identifiers';
import type { SipAccountDto, SipAccountWithSecretDto } from './dto/sip-accounts.dto';
import { SipAccountEntity } from './entities/sip-account.entity';
import { TelephonyRepository } from './telephony.repository';
import { SIP_ACCOUNT_SORTS } from './dto/common';
import { sortOrder, textCell } from '../../shared/http/list-query';

/** The columns of a SIP account (line) list exported as CSV, in this order. */
export const SIP_ACCOUNT_CSV_HEADER = ['id', 'customer_id', 'username', 'display_name', 'max_concurrent_calls', 'numbers', 'created_at'];
export function sipAccountCsvRow(s: SipAccountDto): string[] {
  return [String(s.id), String(s.customerId), textCell(s.username), textCell(s.displayName), s.maxConcurrentCalls === null ? '' : String(s.maxConcurrentCalls), s.numbers.join(' '), s.createdAt];
}

export interface SipAccountQuery {
  search?: string;
  /** A SIP_ACCOUNT_SORTS column, `-column` descending; username by default. */
  sort?: string;
  page?: number;
  pageSize?: number;
}
export interface CreateSipAccountInput {
  username?: string;
  displayName: string;
  secret?: string;
  maxConcurrentCalls?: number | null;
}
export interface UpdateSipAccountInput {
  displayName?: string;
  secret?: string;
  regenerateSecret?: boolean;
  /** undefined = unchanged; null = the customer's limit. */
  maxConcurrentCalls?: number | null;
}

const USERNAME_COLUMN_LENGTH = 64;

function toSipDto(s: SipAccountEntity, numbers: string[] = []): SipAccountDto {
  return {
    id: s.id,
    customerId: s.customerId,
    username: s.username,
    displayName: s.displayName,
    maxConcurrentCalls: s.maxConcurrentCalls,
    numbers,
    createdAt: s.createdAt.toISOString(),
  };
}

/**
 * Telephone lines (SIP accounts) of a customer. The secret is shown only when it is created or
 * regenerated; reads never carry it.
 */
@Injectable()
export class SipAccountsService {
  constructor(
    private readonly repo: TelephonyRepository,
    private readonly customers: CustomerDirectory,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(scope: Scope, customerId: number, query: SipAccountQuery = {}): Promise<Page<SipAccountDto>> {
    const em = this.repo.reader;
    const customer = await this.customers.findInScope(em, scope, customerId);
    const { page, pageSize, skip } = pageParams(query);
    const order = sortOrder(query.sort, SIP_ACCOUNT_SORTS, 'username');
    const [rows, total] = await this.repo.pageSipAccounts(em, customer.id, { search: query.search, skip, take: pageSize, order });
    const numbers = await this.repo.numbersBySipAccount(
      em,
      rows.map((r) => r.id),
    );
    return { items: rows.map((s) => toSipDto(s, numbers.get(s.id))), page, pageSize, total };
  }

  async get(scope: Scope, customerId: number, sipAccountId: number): Promise<SipAccountDto> {
    const em = this.repo.reader;
    const customer = await this.customers.findInScope(em, scope, customerId);
    const s = await this.repo.findLiveSipAccount(em, customer.id, sipAccountId);
    if (!s) throw new NotFoundError('SIP account');
    const numbers = await this.repo.numbersBySipAccount(em, [s.id]);
    return toSipDto(s, numbers.get(s.id));
  }

  /**
   * Adds a line. `earlier`: the request's format problems (validatePartial); the username check runs too and
   * every problem is answered at once before anything is written (issue #14).
   */
  async create(
    scope: Scope,
    customerId: number,
    input: CreateSipAccountInput,
    earlier: readonly FieldError[] = [],
  ): Promise<SipAccountWithSecretDto> {
    const secret = input.secret ?? randomPassword(GENERATED_SECRET_LENGTH);
    // A generated username can lose a race with another line created at the same moment: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tx.run(async (em) => {
          const customer = await this.customers.lockLiveInScope(em, scope, customerId);
          const problems = new FieldProblems(earlier);
          let username = input.username;
          if (username !== undefined && (await this.repo.sipUsernameTaken(em, username))) {
            problems.add('username', 'this username is already taken', 'already_exists', 409, ConflictError.field('username', 'this username is already taken'));
          }
          problems.throwIfAny();
          if (username === undefined) {
            let n = (await this.repo.countSipAccountsEver(em, customer.id)) + 1;
            while (await this.repo.sipUsernameTaken(em, `${customer.id}-${n}`)) n++;
            username = `${customer.id}-${n}`;
          }
          const row = await this.repo.insertSipAccount(em, {
            customerId: customer.id,
            username,
            secret,
            displayName: input.displayName,
            maxConcurrentCalls: input.maxConcurrentCalls ?? null,
            deletedAt: null,
            createdAt: this.clock.now(),
          });
          await this.audit.record(
            scope,
            {
              action: 'sip_account_created',
              entityType: 'sip_account',
              entityId: row.id,
              customerId: customer.id,
              details: { username, displayName: row.displayName },
            },
            em,
          );
          return { ...toSipDto(row), secret };
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        if (input.username !== undefined || attempt >= 3) throw ConflictError.field('username', 'this username is already taken');
      }
    }
  }

  async update(scope: Scope, customerId: number, sipAccountId: number, input: UpdateSipAccountInput): Promise<SipAccountWithSecretDto> {
    if (input.regenerateSecret && input.secret !== undefined)
      throw ValidationError.field('secret', 'give a secret or regenerateSecret, not both');
    return this.tx.run(async (em) => {
      const customer = await this.customers.findInScope(em, scope, customerId);
      const s = await this.repo.findLiveSipAccount(em, customer.id, sipAccountId);
      if (!s) throw new NotFoundError('SIP account');
      const patch: Partial<SipAccountEntity> = {};
      if (input.displayName !== undefined) patch.displayName = input.displayName;
      if (input.maxConcurrentCalls !== undefined) patch.maxConcurrentCalls = input.maxConcurrentCalls;
      let shownSecret: string | undefined;
      if (input.regenerateSecret) patch.secret = shownSecret = randomPassword(GENERATED_SECRET_LENGTH);
      else if (input.secret !== undefined) patch.secret = input.secret;
      if (Object.keys(patch).length) {
        await this.repo.updateSipAccount(em, s.id, patch);
        const { secret: _secret, ...changed } = patch;
        await this.audit.record(
          scope,
          {
            action: 'sip_account_updated',
            entityType: 'sip_account',
            entityId: s.id,
            customerId: customer.id,
            details: { username: s.username, ...changed, ...(patch.secret !== undefined ? { secretChanged: true } : {}) },
          },
          em,
        );
      }
      const numbers = await this.repo.numbersBySipAccount(em, [s.id]);
      const dto: SipAccountWithSecretDto = toSipDto({ ...s, ...patch }, numbers.get(s.id));
      if (shownSecret !== undefined) dto.secret = shownSecret;
      return dto;
    });
  }

  /** Soft delete: the line stops working, its numbers stay with the customer unrouted, its username is free again. */
  async remove(scope: Scope, customerId: number, sipAccountId: number): Promise<void> {
    await this.tx.run(async (em) => {
      const customer = await this.customers.findInScope(em, scope, customerId);
      const s = await this.repo.findLiveSipAccount(em, customer.id, sipAccountId);
      if (!s) throw new NotFoundError('SIP account');
      const unrouted = await this.repo.unrouteNumbers(em, s.id);
      await this.repo.updateSipAccount(em, s.id, {
        deletedAt: this.clock.now(),
        username: retiredIdentifier(s.id, s.username, USERNAME_COLUMN_LENGTH),
      });
      await this.audit.record(
        scope,
        {
          action: 'sip_account_deleted',
          entityType: 'sip_account',
          entityId: s.id,
          customerId: customer.id,
          details: { username: s.username, numbersUnrouted: unrouted },
        },
        em,
      );
    });
  }
}
