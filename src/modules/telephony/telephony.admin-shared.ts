import { Injectable } from '@nestjs/common';
import { CustomerDirectory, type CustomerRef } from '../../shared/customer-directory';
import type { Scope } from '../../shared/scope';
import { TelephonyRepository } from './telephony.repository';

/** What the telephony admin pages (lines, mailboxes, numbers) share. */

export const PAGE_SIZE = 25;

export const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
export const yesNo = (v: boolean | null | undefined): string => (v === true ? 'Yes' : v === false ? 'No' : '');

/**
 * The customer a page is about, as telephony sees it (CustomerRef: telephony lies below the customers
 * module and reads the tree through the kernel's CustomerDirectory).
 */
@Injectable()
export class PageCustomers {
  constructor(
    private readonly directory: CustomerDirectory,
    private readonly repo: TelephonyRepository,
  ) {}

  /** The customer if it lies in the scope's subtree (deleted ones too: their pages show, the services refuse changes); else 404. */
  get(scope: Scope, id: number): Promise<CustomerRef> {
    return this.directory.findInScope(this.repo.reader, scope, id, { includeDeleted: true });
  }

  /** The concurrent-call limit in force for the customer (its own, else its rate plan's). */
  callLimit(customerId: number): Promise<number | 'unlimited'> {
    return this.directory.effectiveCallLimit(this.repo.reader, customerId);
  }
}
