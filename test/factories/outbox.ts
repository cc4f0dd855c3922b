import { OutboxEmailEntity, type OutboxStatus } from '../../src/modules/notifications/entities/outbox-email.entity';
import type { TestApp } from '../helpers/app';

/** The context of the low-balance mail the outbox rows below hold. */
export const LOW_BALANCE_CONTEXT = {
  customerName: 'Row',
  balance: '1.00',
  threshold: '5.00',
  currency: 'EUR',
  autoTopUp: false,
  topUpAmount: null,
};

type OutboxRow = Partial<OutboxEmailEntity> & { status: OutboxStatus };

/** The values of an outbox row as `insertOutboxRow` writes it (for bulk inserts of many). */
export function outboxRowValues(t: TestApp, row: OutboxRow): Partial<OutboxEmailEntity> {
  const now = t.clock.now();
  return {
    customerId: null,
    toAddress: 'x@example.com',
    subject: 'Subject',
    template: 'low-balance',
    context: JSON.stringify(LOW_BALANCE_CONTEXT),
    bodyText: null,
    attempts: 0,
    nextAttemptAt: now,
    leaseUntil: null,
    sentAt: null,
    lastError: null,
    createdAt: now,
    ...row,
  };
}

/**
 * An outbox row written straight to the database, as an older version, another instance or a failed
 * render would have left it: a low-balance mail with no rendered text unless `row` says otherwise.
 */
export async function insertOutboxRow(t: TestApp, row: OutboxRow): Promise<number> {
  const res = await t.dataSource.getRepository(OutboxEmailEntity).insert(outboxRowValues(t, row));
  return Number(res.identifiers[0].id);
}
