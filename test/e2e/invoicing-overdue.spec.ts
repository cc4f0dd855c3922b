import { OutboxEmailEntity } from '../../src/modules/notifications/entities/outbox-email.entity';
import { InvoiceRunsService } from '../../src/modules/invoicing/invoice-runs.service';
import { OverdueInvoicesService } from '../../src/modules/invoicing/overdue-invoices.service';
import { callId, callTree, cdrBody, postCdr, update, type CallTree } from '../factories/calls';
import { ADMIN_PASSWORD, ADMIN_USERNAME, loginHeader, startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';

/** The daily overdue check: the day after the due date in the customer's zone, once, with a reminder. */
describe(`overdue invoices on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let tree: CallTree;
  const at = (iso: string) => t.clock.setNow(new Date(iso));
  const overdue = () => t.app.get(OverdueInvoicesService).markOverdue();
  // A fresh login each time: sessions expire as the test clock moves on by months.
  const invoiceOf = async (customerId: number) =>
    (await t.http.get('/api/v1/invoices').query({ customerId }).set(await loginHeader(t, ADMIN_USERNAME, ADMIN_PASSWORD))).body
      .items[0] as Record<string, any>;
  const reminders = (customerId: number) =>
    t.dataSource.getRepository(OutboxEmailEntity).find({ where: { customerId, template: 'invoice-overdue' } });

  beforeAll(async () => {
    t = await startTestApp({ TEST_CLOCK: 'true' });
    at('2026-10-10T08:00:00Z');
    tree = await callTree(t, { customerCredit: '50.00', reseller: { timezone: 'America/New_York' } });
    await update(t, tree.reseller.id, { createdAt: new Date('2026-10-01T12:00:00Z') });
    expect((await postCdr(t, tree.switchAuth, cdrBody(tree.customer.id, callId(), 120, new Date('2026-10-10T07:00:00Z')))).status).toBe(201);
    at('2026-11-01T12:00:00Z');
    await t.http.post('/api/v1/invoice-runs').set(t.auth).send({});
    await t.app.get(InvoiceRunsService).idle();
  });
  afterAll(() => t.close());

  it('marks a due invoice overdue the day after its due date in the customer zone, and emails one reminder', async () => {
    const invoice = await invoiceOf(tree.reseller.id);
    expect(invoice).toMatchObject({ status: 'due', dueDate: '2026-12-01', total: '1.80' });
    // 2 December 03:00 UTC is still 1 December in New York.
    at('2026-12-02T03:00:00Z');
    expect(await overdue()).toBe(0);
    at('2026-12-02T05:30:00Z');
    expect(await overdue()).toBe(1);
    expect((await invoiceOf(tree.reseller.id)).status).toBe('overdue');
    const mails = await reminders(tree.reseller.id);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe(`Invoice ${invoice.number as string} is overdue`);
    expect(mails[0].bodyText).toContain('is 1 day(s) overdue');
    expect(mails[0].bodyText).toContain('Amount due: 1.80 EUR');
    // The next ticks, and two instances at once, do nothing more.
    expect(await Promise.all([overdue(), overdue()])).toEqual([0, 0]);
    expect(await reminders(tree.reseller.id)).toHaveLength(1);
  });

  it('a paid invoice never becomes overdue', async () => {
    at('2026-11-20T01:00:00Z');
    const other = await callTree(t, { customerCredit: '50.00' });
    await update(t, other.reseller.id, { createdAt: new Date('2026-11-01T00:00:00Z'), timezone: 'UTC' });
    expect((await postCdr(t, other.switchAuth, cdrBody(other.customer.id, callId(), 60, new Date('2026-11-20T00:00:00Z')))).status).toBe(201);
    at('2026-12-02T06:00:00Z');
    const invoiceRun = await t.http.post('/api/v1/invoice-runs').set(t.auth).send({});
    expect(invoiceRun.status).toBe(202);
    await t.app.get(InvoiceRunsService).idle();
    const invoice = await invoiceOf(other.reseller.id);
    expect(invoice.status).toBe('due');
    expect((await t.http.patch(`/api/v1/invoices/${invoice.id as number}`).set(t.auth).send({ status: 'paid' })).status).toBe(200);
    at('2027-02-01T12:00:00Z');
    await overdue();
    expect((await invoiceOf(other.reseller.id)).status).toBe('paid');
    expect(await reminders(other.reseller.id)).toHaveLength(0);
  });
});
