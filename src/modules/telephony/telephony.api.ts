import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { MailboxEntity } from './entities/mailbox.entity';
import { NumberEntity } from './entities/number.entity';
import { SipAccountEntity } from './entities/sip-account.entity';
import { TelephonyRepository } from './telephony.repository';

/** A free number of an inventory, as other modules see it. */
export interface FreeNumber {
  id: number;
  number: string;
}

/**
 * What other modules may ask of telephony. Methods that write take the caller's EntityManager, so the
 * rows are part of the caller's transaction (a residential customer, its line, mailbox and number commit
 * or roll back together). The one write path for lines, mailboxes and numbers is this module's: these
 * methods and the module's own services share TelephonyRepository's statements.
 */
@Injectable()
export class TelephonyApi {
  constructor(private readonly repo: TelephonyRepository) {}

  /** What a customer has that recurring fees are charged for: its live lines and the numbers assigned to it. */
  async billableCounts(em: EntityManager, customerId: number): Promise<{ lines: number; numbers: number }> {
    const [lines, numbers] = await Promise.all([
      em.count(SipAccountEntity, { where: { customerId, deletedAt: IsNull() } }),
      em.count(NumberEntity, { where: { customerId } }),
    ]);
    return { lines, numbers };
  }

  /** What a customer's dashboard counts: its live lines and mailboxes, and the numbers assigned to it. */
  async equipmentCounts(em: EntityManager, customerId: number): Promise<{ lines: number; mailboxes: number; numbers: number }> {
    const [billable, mailboxes] = await Promise.all([
      this.billableCounts(em, customerId),
      em.count(MailboxEntity, { where: { customerId, deletedAt: IsNull() } }),
    ]);
    return { ...billable, mailboxes };
  }

  /** A free (unassigned) number of `ownerCustomerId`'s inventory, or null. */
  async findFreeNumber(em: EntityManager, ownerCustomerId: number, number: string): Promise<FreeNumber | null> {
    const n = await this.repo.findFreeNumber(em, ownerCustomerId, number);
    return n ? { id: n.id, number: n.number } : null;
  }

  /** The free numbers of an inventory, in number order (for forms that offer them). */
  async freeNumbers(em: EntityManager, ownerCustomerId: number): Promise<FreeNumber[]> {
    const rows = await this.repo.freeNumbers(em, ownerCustomerId);
    return rows.map((n) => ({ id: n.id, number: n.number }));
  }

  /** Assigns a free number: the WHERE makes it a compare-and-set, so two concurrent claims cannot both win. */
  claimNumber(em: EntityManager, numberId: number, customerId: number): Promise<boolean> {
    return this.repo.claimNumber(em, numberId, customerId);
  }

  /** Calls to the number ring this line. */
  routeNumberToLine(em: EntityManager, numberId: number, sipAccountId: number): Promise<void> {
    return this.repo.updateNumber(em, numberId, { sipAccountId });
  }

  /** The customer of the live SIP account with this username (ignoring case), or null: how a switch names the caller. */
  sipAccountOwner(em: EntityManager, username: string): Promise<number | null> {
    return this.repo.sipAccountOwner(em, username);
  }

  /** The customers that have any of these numbers (exact digits, as kept): for a customer search by number. */
  async customersWithNumbers(em: EntityManager, numbers: readonly string[]): Promise<number[]> {
    return numbers.length ? this.repo.customersWithNumbers(em, numbers) : [];
  }

  /** SIP usernames are unique platform-wide ignoring case, deleted lines included. */
  sipUsernameTaken(em: EntityManager, username: string): Promise<boolean> {
    return this.repo.sipUsernameTaken(em, username);
  }

  mailboxTaken(em: EntityManager, mailbox: string): Promise<boolean> {
    return this.repo.mailboxTaken(em, mailbox);
  }

  /** Inserts a telephone line; returns its id. The caller has checked the username. */
  async createLine(
    em: EntityManager,
    line: { customerId: number; username: string; secret: string; displayName: string; at: Date },
  ): Promise<number> {
    const row = await this.repo.insertSipAccount(em, {
      customerId: line.customerId,
      username: line.username,
      secret: line.secret,
      displayName: line.displayName,
      maxConcurrentCalls: null,
      deletedAt: null,
      createdAt: line.at,
    });
    return row.id;
  }

  /** Inserts a mailbox; returns its id. The caller has checked the mailbox number. */
  async createMailbox(
    em: EntityManager,
    box: { customerId: number; mailbox: string; pinHash: string; email: string; at: Date },
  ): Promise<number> {
    const row = await this.repo.insertMailbox(em, {
      customerId: box.customerId,
      mailbox: box.mailbox,
      pinHash: box.pinHash,
      email: box.email,
      purge: null,
      maxPerFolder: null,
      deletedAt: null,
      createdAt: box.at,
    });
    return row.id;
  }
}
