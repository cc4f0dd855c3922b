import { OutboxEmailEntity, type OutboxStatus } from '../../src/modules/notifications/entities/outbox-email.entity';
import type { TestApp } from '../helpers/app';

/**
 * An outbox row written straight to the database, as an older version, another instance or a failed
 * render would have left it: a low-balance mail with no rendered text unless `row` says otherwise.
 */
export async function insertOutboxRow(t: TestApp, row: Partial<OutboxEmailEntity> & { status: OutboxStatus }): Promise<number> {
  const now = t.clock.now();
  const res = await t.dataSource.getRepository(OutboxEmailEntity).insert({
    customerId: null,
    toAddress: 'x@example.com',
    subject: 'Subject',
    template: 'low-balance',
    context: JSON.stringify({
      customerName: 'Row',
      balance: '1.00',
      threshold: '5.00',
      currency: 'EUR',
      autoTopUp: false,
      topUpAmount: null,
    }),
    bodyText: null,
    attempts: 0,
    nextAttemptAt: now,
    leaseUntil: null,
    sentAt: null,
    lastError: null,
    createdAt: now,
    ...row,
  });
  return Number(res.identifiers[0].id);
}
