import { Injectable } from '@nestjs/common';
import { isUniqueViolation, TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { Clock } from '../../shared/clock';
import { ConflictError, type FieldError, NotFoundError } from '../../shared/errors';
import { FieldProblems } from '../../shared/field-problems';
import { Page, pageParams } from '../../shared/pagination';
import type { Scope } from '../../shared/scope';
import { CustomerDirectory, type CustomerRef } from '../../shared/customer-directory';
import { hashSecret, randomDigits } from '../../shared/secrets';
import { GENERATED_PIN_LENGTH, retiredIdentifier } from './domain/identifiers';
import type { MailboxDto, MailboxWithPinDto } from './dto/mailboxes.dto';
import { MailboxEntity } from './entities/mailbox.entity';
import { TelephonyRepository } from './telephony.repository';
import { MAILBOX_SORTS } from './dto/common';
import { sortOrder, textCell } from '../../shared/http/list-query';

/** The columns of a mailbox list exported as CSV, in this order. */
export const MAILBOX_CSV_HEADER = ['id', 'customer_id', 'mailbox', 'email', 'purge', 'effective_purge', 'max_per_folder', 'created_at'];
export function mailboxCsvRow(m: MailboxDto): string[] {
  const nullable = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return [String(m.id), String(m.customerId), m.mailbox, textCell(m.email), nullable(m.purge), String(m.effectivePurge), nullable(m.maxPerFolder), m.createdAt];
}

export interface MailboxQuery {
  search?: string;
  /** A MAILBOX_SORTS column, `-column` descending; mailbox by default. */
  sort?: string;
  page?: number;
  pageSize?: number;
}
export interface CreateMailboxInput {
  mailbox: string;
  pin?: string;
  email?: string | null;
  purge?: boolean | null;
  maxPerFolder?: number | null;
}
export interface UpdateMailboxInput {
  mailbox?: string;
  pin?: string;
  regeneratePin?: boolean;
  email?: string | null;
  purge?: boolean | null;
  maxPerFolder?: number | null;
}

const MAILBOX_COLUMN_LENGTH = 32;

function toMailboxDto(m: MailboxEntity, customer: Pick<CustomerRef, 'purgeVoicemail' | 'maxVoicemailsPerFolder'>): MailboxDto {
  return {
    id: m.id,
    customerId: m.customerId,
    mailbox: m.mailbox,
    email: m.email,
    purge: m.purge,
    maxPerFolder: m.maxPerFolder,
    effectivePurge: m.purge ?? customer.purgeVoicemail,
    effectiveMaxPerFolder: m.maxPerFolder ?? customer.maxVoicemailsPerFolder,
    createdAt: m.createdAt.toISOString(),
  };
}

/** Voicemail boxes of a customer. The PIN is stored hashed and shown only when it is created. */
@Injectable()
export class MailboxesService {
  constructor(
    private readonly repo: TelephonyRepository,
    private readonly customers: CustomerDirectory,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(scope: Scope, customerId: number, query: MailboxQuery = {}): Promise<Page<MailboxDto>> {
    const em = this.repo.reader;
    const customer = await this.customers.findInScope(em, scope, customerId);
    const { page, pageSize, skip } = pageParams(query);
    const order = sortOrder(query.sort, MAILBOX_SORTS, 'mailbox');
    const [rows, total] = await this.repo.pageMailboxes(em, customer.id, { search: query.search, skip, take: pageSize, order });
    return { items: rows.map((m) => toMailboxDto(m, customer)), page, pageSize, total };
  }

  async get(scope: Scope, customerId: number, mailboxId: number): Promise<MailboxDto> {
    const em = this.repo.reader;
    const customer = await this.customers.findInScope(em, scope, customerId);
    const m = await this.repo.findLiveMailbox(em, customer.id, mailboxId);
    if (!m) throw new NotFoundError('mailbox');
    return toMailboxDto(m, customer);
  }

  /**
   * Adds a mailbox. `earlier`: the request's format problems (validatePartial); the mailbox number check runs
   * too and every problem is answered at once before anything is written (issue #14).
   */
  async create(scope: Scope, customerId: number, input: CreateMailboxInput, earlier: readonly FieldError[] = []): Promise<MailboxWithPinDto> {
    const pin = input.pin ?? randomDigits(GENERATED_PIN_LENGTH);
    const pinHash = earlier.length ? '' : await hashSecret(pin);
    return this.uniqueMailbox(() =>
      this.tx.run(async (em) => {
        const customer = await this.customers.lockLiveInScope(em, scope, customerId);
        const problems = new FieldProblems(earlier);
        const mailbox = input.mailbox as string | undefined;
        if (mailbox !== undefined && (await this.repo.mailboxTaken(em, mailbox))) takenMailbox(problems);
        problems.throwIfAny();
        const row = await this.repo.insertMailbox(em, {
          customerId: customer.id,
          mailbox: input.mailbox,
          pinHash,
          email: input.email ?? null,
          purge: input.purge ?? null,
          maxPerFolder: input.maxPerFolder ?? null,
          deletedAt: null,
          createdAt: this.clock.now(),
        });
        await this.audit.record(
          scope,
          {
            action: 'mailbox_created',
            entityType: 'mailbox',
            entityId: row.id,
            customerId: customer.id,
            details: { mailbox: row.mailbox },
          },
          em,
        );
        return { ...toMailboxDto(row, customer), pin };
      }),
    );
  }

  /** Changes a mailbox; `earlier` as for create: every problem of the request is answered at once. */
  async update(
    scope: Scope,
    customerId: number,
    mailboxId: number,
    input: UpdateMailboxInput,
    earlier: readonly FieldError[] = [],
  ): Promise<MailboxWithPinDto> {
    const problems = new FieldProblems(earlier);
    if (input.regeneratePin && input.pin !== undefined) problems.add('pin', 'give a pin or regeneratePin, not both');
    let shownPin: string | undefined;
    let pinHash: string | undefined;
    if (input.regeneratePin) shownPin = randomDigits(GENERATED_PIN_LENGTH);
    const newPin = shownPin ?? input.pin;
    if (newPin !== undefined && !problems.any) pinHash = await hashSecret(newPin);
    return this.uniqueMailbox(() =>
      this.tx.run(async (em) => {
        const customer = await this.customers.findInScope(em, scope, customerId);
        const m = await this.repo.findLiveMailbox(em, customer.id, mailboxId);
        if (!m) throw new NotFoundError('mailbox');
        const patch: Partial<MailboxEntity> = {};
        if (input.mailbox !== undefined && input.mailbox !== m.mailbox) {
          if (await this.repo.mailboxTaken(em, input.mailbox, m.id)) takenMailbox(problems);
          patch.mailbox = input.mailbox;
        }
        problems.throwIfAny();
        if (input.email !== undefined) patch.email = input.email;
        if (input.purge !== undefined) patch.purge = input.purge;
        if (input.maxPerFolder !== undefined) patch.maxPerFolder = input.maxPerFolder;
        if (pinHash !== undefined) patch.pinHash = pinHash;
        if (Object.keys(patch).length) {
          await this.repo.updateMailbox(em, m.id, patch);
          const { pinHash: _pinHash, ...changed } = patch;
          await this.audit.record(
            scope,
            {
              action: 'mailbox_updated',
              entityType: 'mailbox',
              entityId: m.id,
              customerId: customer.id,
              details: { mailbox: m.mailbox, ...changed, ...(pinHash !== undefined ? { pinChanged: true } : {}) },
            },
            em,
          );
        }
        const dto: MailboxWithPinDto = toMailboxDto({ ...m, ...patch }, customer);
        if (shownPin !== undefined) dto.pin = shownPin;
        return dto;
      }),
    );
  }

  /** Soft delete; the mailbox number can be used again. */
  async remove(scope: Scope, customerId: number, mailboxId: number): Promise<void> {
    await this.tx.run(async (em) => {
      const customer = await this.customers.findInScope(em, scope, customerId);
      const m = await this.repo.findLiveMailbox(em, customer.id, mailboxId);
      if (!m) throw new NotFoundError('mailbox');
      await this.repo.updateMailbox(em, m.id, {
        deletedAt: this.clock.now(),
        mailbox: retiredIdentifier(m.id, m.mailbox, MAILBOX_COLUMN_LENGTH),
      });
      await this.audit.record(
        scope,
        { action: 'mailbox_deleted', entityType: 'mailbox', entityId: m.id, customerId: customer.id, details: { mailbox: m.mailbox } },
        em,
      );
    });
  }

  private async uniqueMailbox<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isUniqueViolation(err)) throw ConflictError.field('mailbox', 'this mailbox number is already taken');
      throw err;
    }
  }
}

function takenMailbox(problems: FieldProblems): void {
  const message = 'this mailbox number is already taken';
  problems.add('mailbox', message, 'already_exists', 409, ConflictError.field('mailbox', message));
}
