import { RecurringFeesService } from '../../src/modules/invoicing/recurring-fees.service';
import { InvoiceRunsService } from '../../src/modules/invoicing/invoice-runs.service';
import { Money } from '../../src/shared/money';
import { ledgerRows } from '../factories/billing';
import { ledgerInOrder, update } from '../factories/calls';
import { addNumber, addRatePlan } from '../factories/customers';
import { insertCustomer, insertPerson } from '../factories/rows';
import { ADMIN_PASSWORD, ADMIN_USERNAME, loginHeader, startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';
import { recordStatements } from '../helpers/statements';

/** Recurring fees in advance: posted at each period start in the customer's zone, once, and invoiced. */
describe(`recurring fees on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  const at = (iso: string) => t.clock.setNow(new Date(iso));
  const fees = () => t.app.get(RecurringFeesService);
  const feeRows = async (customerId: number) =>
    (await ledgerRows(t, customerId)).filter((r) => r.type.endsWith('_fee')).map((r) => [r.type, r.amount.toString(), r.description]);

  beforeAll(async () => {
    t = await startTestApp({ TEST_CLOCK: 'true' });
  });
  afterAll(() => t.close());

  async function customerOnPlan(fields: Record<string, unknown>, customer: Record<string, unknown> = {}) {
    const plan = await addRatePlan(t, 1, {
      signupFee: Money.of('25.00'),
      accountFee: Money.of('10.00'),
      lineFee: Money.of('2.00'),
      numberFee: Money.of('1.50'),
      billingPeriod: 'monthly',
      ...fields,
    });
    const c = await insertCustomer(t, 1, { ratePlanId: plan.id, billingType: 'postpaid', timezone: 'UTC', ...customer });
    return c;
  }

  it('posts the sign-up fee once and each period’s fees at its start, for the lines and numbers it has then', async () => {
    at('2026-10-15T09:00:00Z');
    const c = await customerOnPlan({});
    await update(t, c.id, { createdAt: new Date('2026-10-15T09:00:00Z') });
    await t.dataSource.query(
      "INSERT INTO sip_accounts (customer_id, username, secret, display_name, created_at) VALUES (?, ?, 'x', 'A', ?), (?, ?, 'x', 'B', ?)",
      [c.id, `${c.id}-1`, '2026-10-15 09:00:00.000', c.id, `${c.id}-2`, '2026-10-15 09:00:00.000'],
    );
    await addNumber(t, 1, undefined, c.id);

    expect(await fees().postDueFees()).toBe(2); // sign-up, and October (joined in it: charged in full, in advance)
    expect(await feeRows(c.id)).toEqual([
      ['signup_fee', '-25.00', 'Sign-up fee'],
      ['account_fee', '-10.00', 'Account fee 2026-10-01 to 2026-11-01'],
      ['line_fee', '-4.00', 'Line fees 2026-10-01 to 2026-11-01 (2 lines)'],
      ['number_fee', '-1.50', 'Number fees 2026-10-01 to 2026-11-01 (1 numbers)'],
    ]);
    // Again the same day, or from a second instance at once: nothing more.
    expect(await Promise.all([fees().postDueFees(), fees().postDueFees()])).toEqual([0, 0]);

    at('2026-11-01T00:30:00Z');
    expect(await fees().postDueFees()).toBe(1);
    expect((await feeRows(c.id)).filter((r) => String(r[2]).includes('2026-11-01 to 2026-12-01'))).toHaveLength(3);
    expect(await ledgerInOrder(t)).toBe(true);
  });

  it('fees land on the invoice of their period', async () => {
    at('2026-10-20T09:00:00Z');
    const c = await customerOnPlan({ signupFee: null });
    await update(t, c.id, { createdAt: new Date('2026-10-20T09:00:00Z') });
    await fees().postDueFees();
    at('2026-11-01T05:00:00Z');
    await t.http.post('/api/v1/invoice-runs').set(t.auth).send({});
    await t.app.get(InvoiceRunsService).idle();
    const res = await t.http.get('/api/v1/invoices').query({ customerId: c.id }).set(t.auth);
    const [invoice] = res.body.items;
    expect(invoice).toMatchObject({ periodStart: '2026-10-01', status: 'due', total: '10.00' });
    expect(invoice.lines).toEqual([{ category: 'account_fee', description: 'Account fee', quantity: '1', amount: '10.00' }]);
  });

  it('a plan that defers billing starts with the next period; quarterly periods; catch-up after downtime', async () => {
    at('2026-02-10T12:00:00Z');
    const c = await customerOnPlan({ deferBilling: true, billingPeriod: 'quarterly', signupFee: null, lineFee: null, numberFee: null });
    await update(t, c.id, { createdAt: new Date('2026-02-10T12:00:00Z') });
    expect(await fees().postDueFees()).toBe(0);
    // The platform was off from March to August: the April and July quarters are posted on the next tick.
    at('2026-08-02T12:00:00Z');
    await fees().postDueFees();
    expect((await feeRows(c.id)).map((r) => r[2])).toEqual(['Account fee 2026-04-01 to 2026-07-01', 'Account fee 2026-07-01 to 2026-10-01']);
  });

  it("converts fees from the plan's currency, keeping the original amount and rate; nothing for indefinite plans", async () => {
    at('2026-03-01T12:00:00Z');
    const rate = await t.http.post('/api/v1/exchange-rates').set(t.auth).send({ currency: 'USD', rate: '1.25', validFrom: '2026-01-01T00:00:00Z' });
    expect(rate.status).toBe(201);
    const usd = await customerOnPlan({ signupFee: null, lineFee: null, numberFee: null }, { currency: 'USD' });
    await update(t, usd.id, { createdAt: new Date('2026-03-01T12:00:00Z') });
    const never = await customerOnPlan({ billingPeriod: 'indefinite' });
    await update(t, never.id, { createdAt: new Date('2026-03-01T12:00:00Z') });
    await fees().postDueFees();
    const [row] = (await ledgerRows(t, usd.id)).filter((r) => r.type === 'account_fee');
    expect(row).toMatchObject({ currency: 'USD', originalCurrency: 'EUR' });
    expect(row.amount.toString()).toBe('-12.50');
    expect(row.originalAmount?.toString()).toBe('-10.00');
    expect(await feeRows(never.id)).toEqual([]);
  });

  it('a customer deleted before its minimum contract ends is charged the rest once, on its last invoice, and invoiced no more', async () => {
    at('2026-10-01T00:30:00Z');
    const c = await customerOnPlan({ minimumContractMonths: 6, signupFee: null, lineFee: null, numberFee: null });
    await update(t, c.id, { createdAt: new Date('2026-10-01T00:00:00Z') });
    await fees().postDueFees(); // October, in advance
    await update(t, c.id, { deletedAt: new Date('2026-10-20T11:00:00Z') });
    at('2026-10-20T12:00:00Z');
    await fees().postDueFees();
    // 6 months from 1 October run to 1 April 2027: November to March are still to pay.
    expect((await feeRows(c.id)).filter((r) => String(r[2]).startsWith('Minimum contract')).map((r) => r[2])).toEqual([
      'Minimum contract: Account fee 2026-11-01 to 2026-12-01',
      'Minimum contract: Account fee 2026-12-01 to 2027-01-01',
      'Minimum contract: Account fee 2027-01-01 to 2027-02-01',
      'Minimum contract: Account fee 2027-02-01 to 2027-03-01',
      'Minimum contract: Account fee 2027-03-01 to 2027-04-01',
    ]);
    expect(await fees().postDueFees()).toBe(0);

    for (const when of ['2026-11-01T05:00:00Z', '2026-12-01T05:00:00Z']) {
      at(when);
      await t.http.post('/api/v1/invoice-runs').set(await loginHeader(t, ADMIN_USERNAME, ADMIN_PASSWORD)).send({});
      await t.app.get(InvoiceRunsService).idle();
    }
    const res = await t.http.get('/api/v1/invoices').query({ customerId: c.id, pageSize: 100 }).set(await loginHeader(t, ADMIN_USERNAME, ADMIN_PASSWORD));
    const october = res.body.items.filter((i: any) => i.periodStart === '2026-10-01');
    expect(october).toHaveLength(1);
    expect(october[0].total).toBe('60.00'); // October's fee and the five left on the contract
    expect(res.body.items.filter((i: any) => i.periodStart >= '2026-11-01')).toEqual([]);
    expect(await ledgerInOrder(t)).toBe(true);
  });

  describe('charges on a customer', () => {
    const admin = () => loginHeader(t, ADMIN_USERNAME, ADMIN_PASSWORD);
    const chargeRows = async (customerId: number) =>
      (await ledgerRows(t, customerId)).filter((r) => r.type === 'charge').map((r) => [r.amount.toString(), r.description]);

    it('a one-off charge is debited once when added and reaches the invoice; only an ancestor may add one', async () => {
      at('2027-01-10T10:00:00Z');
      const c = await customerOnPlan({ signupFee: null, accountFee: null, lineFee: null, numberFee: null });
      await update(t, c.id, { createdAt: new Date('2027-01-01T00:00:00Z') });
      const res = await t.http
        .post(`/api/v1/customers/${c.id}/charges`)
        .set(await admin())
        .send({ description: 'Installation', amount: '49.90', cost: '20.00' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ customerId: c.id, description: 'Installation', amount: '49.90', cost: '20.00', recurring: false, postings: 1, endedAt: null });
      expect(await chargeRows(c.id)).toEqual([['-49.90', 'Installation']]);
      for (const body of [{ description: 'x', amount: '0' }, { description: 'x', amount: 12 }, { description: '', amount: '1.00' }, { amount: '1.00' }, { description: 'x', amount: '1.00', cost: '-1' }]) {
        expect((await t.http.post(`/api/v1/customers/${c.id}/charges`).set(await admin()).send(body)).status).toBe(400);
      }
      const own = await insertPerson(t, c.id, { username: `chg-${c.id}`, displayName: 'Own' });
      expect((await t.http.post(`/api/v1/customers/${c.id}/charges`).set(own).send({ description: 'x', amount: '1.00' })).status).toBe(403);
      const stranger = await insertCustomer(t, 1, { reseller: true });
      const strangerAuth = await insertPerson(t, stranger.id, { username: `chg-s-${stranger.id}`, displayName: 'S' });
      expect((await t.http.post(`/api/v1/customers/${c.id}/charges`).set(strangerAuth).send({ description: 'x', amount: '1.00' })).status).toBe(404);
      expect(await chargeRows(c.id)).toHaveLength(1);

      at('2027-02-01T05:00:00Z');
      await t.http.post('/api/v1/invoice-runs').set(await admin()).send({});
      await t.app.get(InvoiceRunsService).idle();
      const inv = await t.http.get('/api/v1/invoices').query({ customerId: c.id }).set(await admin());
      expect(inv.body.items[0].lines).toEqual([{ category: 'charge', description: 'Charges', quantity: '1', amount: '49.90' }]);
    });

    it('a recurring charge is debited for the current period at once, then at each period start, once, until ended', async () => {
      at('2027-03-10T10:00:00Z');
      const c = await customerOnPlan({ signupFee: null, accountFee: null, lineFee: null, numberFee: null });
      await update(t, c.id, { createdAt: new Date('2027-03-01T00:00:00Z') });
      const res = await t.http.post(`/api/v1/customers/${c.id}/charges`).set(await admin()).send({ description: 'PBX licence', amount: '15.00', recurring: true });
      expect(res.status).toBe(201);
      at('2027-04-01T00:10:00Z');
      // Two ticks at once (two instances): April is debited once.
      await Promise.all([fees().postDueFees(), fees().postDueFees()]);
      expect(await chargeRows(c.id)).toHaveLength(2);
      at('2027-04-15T00:10:00Z');
      const ended = await t.http.delete(`/api/v1/customers/${c.id}/charges/${res.body.id as number}`).set(await admin());
      expect(ended.status).toBe(200);
      expect(ended.body).toMatchObject({ postings: 2, endedAt: expect.stringMatching(/^2027-04-15T00:10/) });
      expect((await t.http.delete(`/api/v1/customers/${c.id}/charges/${res.body.id as number}`).set(await admin())).status).toBe(409);
      at('2027-05-01T00:10:00Z');
      await fees().postDueFees();
      expect(await chargeRows(c.id)).toEqual([
        ['-15.00', 'PBX licence 2027-03-01 to 2027-04-01'],
        ['-15.00', 'PBX licence 2027-04-01 to 2027-05-01'],
      ]);
      const list = await t.http.get(`/api/v1/customers/${c.id}/charges`).set(await admin());
      expect(list.body.map((x: any) => [x.description, x.postings])).toEqual([['PBX licence', 2]]);
      expect(await ledgerInOrder(t)).toBe(true);
    });

    it('refuses a recurring charge where the plan has no billing periods', async () => {
      const c = await customerOnPlan({ billingPeriod: 'indefinite' });
      const res = await t.http.post(`/api/v1/customers/${c.id}/charges`).set(await admin()).send({ description: 'x', amount: '1.00', recurring: true });
      expect(res.status).toBe(422);
      expect(await chargeRows(c.id)).toEqual([]);
    });
  });

  it('a tick with nothing due reads per page of customers, not per customer', async () => {
    const statements = recordStatements(t.dataSource);
    const plan = await addRatePlan(t, 1, { accountFee: Money.of('1.00'), billingPeriod: 'monthly' });
    await insertCustomer(t, 1, { ratePlanId: plan.id, billingType: 'postpaid', timezone: 'UTC' });
    await fees().postDueFees();
    const idle = async () => (await statements(() => fees().postDueFees())).length;
    const before = await idle();
    for (let i = 0; i < 40; i++) await insertCustomer(t, 1, { ratePlanId: plan.id, billingType: 'postpaid', timezone: 'UTC' });
    await fees().postDueFees(); // their first periods
    expect(await idle()).toBe(before);
  });
});

