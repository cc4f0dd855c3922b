import { Money } from '../../src/shared/money';
import { postToLedger } from '../factories/billing';
import { startTestApp, TestApp } from '../helpers/app';
import {
  addDialPlan,
  addNumber,
  addRatePlan,
  addRegion,
  addTax,
  createCustomer,
  createReseller,
  customerInput,
  customerRow,
  customerRowCounts,
  defaultPlanId,
  ResellerLogin,
  setSystemSettings,
} from '../factories/customers';

const long = (n: number) => 'x'.repeat(n);

describe('customers: validation and refusals (HTTP)', () => {
  let t: TestApp;
  let reseller: ResellerLogin;
  beforeAll(async () => {
    t = await startTestApp();
    reseller = await createReseller(t, t.auth);
  });
  afterAll(() => t.close());

  /** Bad bodies for POST: each must be a 400 naming the field, and change nothing. */
  const badCreates: Array<[string, Record<string, unknown>, string]> = [
    ['name of the wrong type', { name: 5 }, 'name'],
    ['empty name', { name: '' }, 'name'],
    ['blank name', { name: '   ' }, 'name'],
    ['over-long name', { name: long(101) }, 'name'],
    ['null name', { name: null }, 'name'],
    ['missing name (normal)', { name: undefined }, 'name'],
    ['name with control characters', { name: 'a\u0000b' }, 'name'],
    ['bad email', { email: 'not-an-email' }, 'email'],
    ['missing email', { email: undefined }, 'email'],
    ['over-long email', { email: `${long(250)}@example.com` }, 'email'],
    ['unknown type', { type: 'business' }, 'type'],
    ['missing type', { type: undefined }, 'type'],
    ['missing rate plan', { ratePlanId: undefined }, 'ratePlanId'],
    ['rate plan as text', { ratePlanId: '2' }, 'ratePlanId'],
    ['credit limit as a JSON number', { creditLimit: 10 }, 'creditLimit'],
    ['negative credit limit', { creditLimit: '-1.00' }, 'creditLimit'],
    ['credit limit with 7 decimals', { creditLimit: '1.1234567' }, 'creditLimit'],
    ['credit limit with an exponent', { creditLimit: '1e3' }, 'creditLimit'],
    ['null credit limit', { creditLimit: null }, 'creditLimit'],
    ['negative low-balance threshold', { lowBalanceThreshold: '-0.01' }, 'lowBalanceThreshold'],
    ['low-balance threshold as a number', { lowBalanceThreshold: 0 }, 'lowBalanceThreshold'],
    ['daily spend limit as a number', { dailySpendLimit: 5 }, 'dailySpendLimit'],
    ['negative daily spend limit', { dailySpendLimit: '-1' }, 'dailySpendLimit'],
    ['daily spend limit in capitals', { dailySpendLimit: 'UNLIMITED' }, 'dailySpendLimit'],
    ['daily spend limit as words', { dailySpendLimit: 'lots' }, 'dailySpendLimit'],
    ['negative concurrent calls', { maxConcurrentCalls: -1 }, 'maxConcurrentCalls'],
    ['fractional concurrent calls', { maxConcurrentCalls: 1.5 }, 'maxConcurrentCalls'],
    ['concurrent calls as text', { maxConcurrentCalls: '5' }, 'maxConcurrentCalls'],
    ['voicemails per folder 0', { maxVoicemailsPerFolder: 0 }, 'maxVoicemailsPerFolder'],
    ['voicemails per folder too many', { maxVoicemailsPerFolder: 10001 }, 'maxVoicemailsPerFolder'],
    ['unknown billing type', { billingType: 'credit' }, 'billingType'],
    ['unknown payment type', { paymentType: 'bitcoin' }, 'paymentType'],
    ['unknown invoice format', { invoiceFormat: 'docx' }, 'invoiceFormat'],
    ['unknown invoice detail', { invoiceDetail: 'everything' }, 'invoiceDetail'],
    ['contract of 2 months', { minimumContractMonths: 2 }, 'minimumContractMonths'],
    ['due days over a year', { invoiceDueDays: 366 }, 'invoiceDueDays'],
    ['negative due days', { invoiceDueDays: -1 }, 'invoiceDueDays'],
    ['send invoices as text', { sendInvoices: 'yes' }, 'sendInvoices'],
    ['non-IANA time zone', { timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    ['offset as time zone', { timezone: '+02:00' }, 'timezone'],
    ['unknown currency', { currency: 'XYZ' }, 'currency'],
    ['lower-case currency', { currency: 'eur' }, 'currency'],
    ['unknown country', { billingAddress: { country: 'XX' } }, 'billingAddress.country'],
    ['three-letter country', { billingAddress: { country: 'GBR' } }, 'billingAddress.country'],
    ['address as text', { billingAddress: '1 High St' }, 'billingAddress'],
    ['over-long address line', { billingAddress: { line1: long(101) } }, 'billingAddress.line1'],
    ['over-long postcode', { billingAddress: { postcode: long(21) } }, 'billingAddress.postcode'],
    ['unknown address field', { billingAddress: { street: 'x' } }, 'billingAddress.street'],
    ['reseller as text', { reseller: 'yes' }, 'reseller'],
    ['locked as a number', { lockedWeb: 1 }, 'lockedWeb'],
    ['over-long description', { description: long(501) }, 'description'],
    ['over-long billing reference', { billingReference: long(101) }, 'billingReference'],
    ['over-long tax reference', { taxReference: long(101) }, 'taxReference'],
    ['account number with a space', { accountNumber: 'AB 12' }, 'accountNumber'],
    ['over-long account number', { accountNumber: long(33) }, 'accountNumber'],
    ['prefix with letters', { prefix: '12a' }, 'prefix'],
    ['over-long prefix', { prefix: '1'.repeat(17) }, 'prefix'],
    ['affiliate percentage over 100', { affiliate: { customerId: 1, percentage: '100.01', basis: 'revenue' } }, 'affiliate.percentage'],
    ['affiliate percentage as a number', { affiliate: { customerId: 1, percentage: 5, basis: 'revenue' } }, 'affiliate.percentage'],
    ['unknown affiliate basis', { affiliate: { customerId: 1, percentage: '5', basis: 'gross' } }, 'affiliate.basis'],
    ['affiliate without customer', { affiliate: { percentage: '5', basis: 'profit' } }, 'affiliate.customerId'],
    ['duplicate tax ids', { taxIds: [1, 1] }, 'taxIds'],
    ['tax ids as text', { taxIds: 'all' }, 'taxIds'],
    ['negative tax id', { taxIds: [-1] }, 'taxIds'],
    ['short password', { password: 'short' }, 'password'],
    ['username with spaces', { username: 'a b' }, 'username'],
    ['parent id as text', { parentId: 'abc' }, 'parentId'],
    ['unknown field', { colour: 'blue' }, 'colour'],
    ['number for a normal customer', { number: '123' }, 'number'],
    ['person name for a normal customer', { personName: 'P' }, 'personName'],
    ['region id as text', { regionId: 'north' }, 'regionId'],
    ['external caller id as text', { externalCallerId: 'true' }, 'externalCallerId'],
  ];

  it.each(badCreates)('refuses %s with a 400 naming the field, and changes nothing', async (_label, overrides, field) => {
    const body = await customerInput(t, overrides);
    for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete body[k];
    const before = await customerRowCounts(t);
    const res = await t.http.post('/api/v1/customers').set(t.auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body.statusCode).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(JSON.stringify(res.body)).not.toMatch(/\n\s+at |\.ts:\d/);
    expect(await customerRowCounts(t)).toEqual(before);
  });

  it('refuses badly formed residential requests with a 400 and changes nothing', async () => {
    const number = (await addNumber(t, 1, '442071999001')).number;
    const planId = await defaultPlanId(t);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ personName: 'P' }, 'number'],
      [{ number }, 'personName'],
      [{ number, personName: 'P', name: 'Other name' }, 'name'],
      [{ number, personName: 'P', username: 'someone' }, 'username'],
      [{ number: '+44 20', personName: 'P' }, 'number'],
      [{ number: 442071999001, personName: 'P' }, 'number'],
      [{ number, personName: long(101) }, 'personName'],
    ];
    for (const [fields, field] of cases) {
      const before = await customerRowCounts(t);
      const res = await t.http
        .post('/api/v1/customers')
        .set(t.auth)
        .send({ type: 'residential', email: 'r@example.com', ratePlanId: planId, ...fields });
      expect({ fields, status: res.status }).toEqual({ fields, status: 400 });
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await customerRowCounts(t)).toEqual(before);
    }
  });

  it('refuses a duplicate account number among the same parent (409, ignoring case) but allows it under another parent', async () => {
    await createCustomer(t, t.auth, { accountNumber: 'DUP-1' });
    for (const accountNumber of ['DUP-1', 'dup-1']) {
      const before = await customerRowCounts(t);
      const res = await t.http
        .post('/api/v1/customers')
        .set(t.auth)
        .send(await customerInput(t, { accountNumber }));
      expect(res.status).toBe(409);
      expect(res.body.details).toEqual([{ field: 'accountNumber', message: expect.any(String), code: 'already_exists' }]);
      expect(await customerRowCounts(t)).toEqual(before);
    }
    const elsewhere = await createCustomer(t, reseller.auth, { accountNumber: 'DUP-1' });
    expect(elsewhere.accountNumber).toBe('DUP-1');
    // Changing another customer to it is refused too.
    const other = await createCustomer(t, t.auth, { accountNumber: 'DUP-2' });
    const res = await t.http.patch(`/api/v1/customers/${other.id}`).set(t.auth).send({ accountNumber: 'Dup-1' });
    expect(res.status).toBe(409);
    expect((await customerRow(t, other.id)).accountNumber).toBe('DUP-2');
  });

  it('refuses a username (or an email used as username) that is already taken, platform-wide (409)', async () => {
    await createCustomer(t, reseller.auth, { username: 'taken-name', email: 'taken@example.com' });
    await createCustomer(t, reseller.auth, { email: 'login@example.com' });
    for (const fields of [
      { username: 'taken-name' },
      { username: 'TAKEN-NAME' },
      { email: 'login@example.com' },
      { username: 'LOGIN@example.com' },
      { username: reseller.username },
    ]) {
      const before = await customerRowCounts(t);
      const res = await t.http
        .post('/api/v1/customers')
        .set(t.auth)
        .send(await customerInput(t, fields));
      expect({ fields, status: res.status }).toEqual({ fields, status: 409 });
      expect(res.body.details[0].field).toBe('username');
      expect(await customerRowCounts(t)).toEqual(before);
    }
  });

  it('accepts a prefix only when customer prefixes are enabled, and keeps it unique system-wide', async () => {
    let before = await customerRowCounts(t);
    let res = await t.http
      .post('/api/v1/customers')
      .set(t.auth)
      .send(await customerInput(t, { prefix: '77' }));
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'prefix', message: expect.stringMatching(/not enabled/), code: 'validation_failed' }]);
    expect(await customerRowCounts(t)).toEqual(before);
    await setSystemSettings(t, { customerPrefixes: true });
    try {
      expect((await createCustomer(t, t.auth, { prefix: '77' })).prefix).toBe('77');
      before = await customerRowCounts(t);
      res = await t.http
        .post('/api/v1/customers')
        .set(reseller.auth)
        .send(await customerInput(t, { prefix: '77' }));
      expect(res.status).toBe(409);
      expect(res.body.details[0].field).toBe('prefix');
      expect(await customerRowCounts(t)).toEqual(before);
    } finally {
      await setSystemSettings(t, { customerPrefixes: false });
    }
  });

  it('accepts a region only when regions are enabled and the region exists', async () => {
    const region = await addRegion(t);
    let res = await t.http
      .post('/api/v1/customers')
      .set(t.auth)
      .send(await customerInput(t, { regionId: region.id }));
    expect(res.status).toBe(400);
    expect(res.body.details[0].field).toBe('regionId');
    await setSystemSettings(t, { regions: true });
    try {
      const before = await customerRowCounts(t);
      res = await t.http
        .post('/api/v1/customers')
        .set(t.auth)
        .send(await customerInput(t, { regionId: 99999 }));
      expect(res.status).toBe(404);
      expect(await customerRowCounts(t)).toEqual(before);
      expect((await createCustomer(t, t.auth, { regionId: region.id })).regionId).toBe(region.id);
    } finally {
      await setSystemSettings(t, { regions: false });
    }
  });

  it('refuses a rate plan the parent may not assign (404) and changes nothing', async () => {
    const privateOfReseller = await addRatePlan(t, reseller.id);
    const rootPrivate = await addRatePlan(t, 1, { sharing: 'private' });
    const deleted = await addRatePlan(t, 1, { sharing: 'recursive', deletedAt: t.clock.now() });
    const cases: Array<[Record<string, unknown>, typeof t.auth]> = [
      [{ ratePlanId: privateOfReseller.id }, t.auth], // a plan of a reseller below is not the root's to assign
      [{ ratePlanId: rootPrivate.id }, reseller.auth], // the root's private plan is invisible to the reseller
      [{ ratePlanId: deleted.id }, t.auth],
      [{ ratePlanId: 999999 }, t.auth],
    ];
    for (const [fields, auth] of cases) {
      const before = await customerRowCounts(t);
      const res = await t.http
        .post('/api/v1/customers')
        .set(auth)
        .send(await customerInput(t, fields));
      expect(res.status).toBe(404);
      expect(res.body.message).toBe('rate plan not found');
      expect(await customerRowCounts(t)).toEqual(before);
    }
    // The reseller's own plan and plans shared with it are fine.
    expect((await createCustomer(t, reseller.auth, { ratePlanId: privateOfReseller.id })).ratePlanId).toBe(privateOfReseller.id);
    const sharedWithChildren = await addRatePlan(t, 1, { sharing: 'children' });
    expect((await createCustomer(t, reseller.auth, { ratePlanId: sharedWithChildren.id })).ratePlanId).toBe(sharedWithChildren.id);
  });

  it("refuses a parent outside the caller's tree (404), a parent that is not a reseller (422) and a deleted parent (404)", async () => {
    const sibling = await createReseller(t, t.auth);
    const normal = await createCustomer(t, reseller.auth);
    const gone = await createCustomer(t, reseller.auth, { reseller: true });
    expect((await t.http.delete(`/api/v1/customers/${gone.id}`).set(reseller.auth)).status).toBe(204);
    const cases: Array<[number, number]> = [
      [sibling.id, 404],
      [1, 404],
      [999999, 404],
      [normal.id, 422],
      [gone.id, 404],
    ];
    for (const [parentId, status] of cases) {
      const before = await customerRowCounts(t);
      const res = await t.http
        .post('/api/v1/customers')
        .set(reseller.auth)
        .send(await customerInput(t, { parentId }));
      expect({ parentId, status: res.status }).toEqual({ parentId, status });
      expect(await customerRowCounts(t)).toEqual(before);
    }
    // A non-reseller's own administrator cannot add customers under itself either.
    const plain = await createReseller(t, t.auth, { reseller: false });
    expect(
      (
        await t.http
          .post('/api/v1/customers')
          .set(plain.auth)
          .send(await customerInput(t))
      ).status,
    ).toBe(422);
  });

  it('refuses dial plans, taxes and affiliates the parent may not use', async () => {
    const otherReseller = await createReseller(t, t.auth);
    const foreignDial = await addDialPlan(t, otherReseller.id);
    const foreignTax = await addTax(t, otherReseller.id);
    const rootUnshared = await addTax(t, 1, { shared: false });
    const deletedTax = await addTax(t, reseller.id, { deletedAt: t.clock.now() });
    const foreignCustomer = await createCustomer(t, otherReseller.auth);
    const cases: Array<[Record<string, unknown>, number]> = [
      [{ dialPlanId: foreignDial.id }, 404],
      [{ dialPlanId: 999999 }, 404],
      [{ taxIds: [foreignTax.id] }, 404],
      [{ taxIds: [rootUnshared.id] }, 404],
      [{ taxIds: [deletedTax.id] }, 404],
      [{ affiliate: { customerId: foreignCustomer.id, percentage: '5', basis: 'revenue' } }, 404],
      [{ affiliate: { customerId: 999999, percentage: '5', basis: 'revenue' } }, 404],
      [{ affiliate: { customerId: reseller.id, percentage: '5', basis: 'revenue' } }, 400], // the parent itself: visible, but not a sibling
    ];
    for (const [fields, status] of cases) {
      const before = await customerRowCounts(t);
      const res = await t.http
        .post('/api/v1/customers')
        .set(reseller.auth)
        .send(await customerInput(t, fields));
      expect({ fields, status: res.status }).toEqual({ fields, status });
      expect(await customerRowCounts(t)).toEqual(before);
    }
    // Usable: its own, the root's shared ones, and ancestors' dial plans.
    const ownTax = await addTax(t, reseller.id);
    const sharedTax = await addTax(t, 1, { shared: true });
    const rootDial = await addDialPlan(t, 1);
    const ok = await createCustomer(t, reseller.auth, { taxIds: [ownTax.id, sharedTax.id], dialPlanId: rootDial.id });
    expect(ok.taxIds).toEqual([ownTax.id, sharedTax.id].sort((a, b) => a - b));
    // An affiliate must have the same parent, and cannot be the customer itself.
    const grand = await createCustomer(t, reseller.auth, { reseller: true });
    const grandChild = await createCustomer(t, reseller.auth, { parentId: grand.id });
    let res = await t.http
      .post('/api/v1/customers')
      .set(reseller.auth)
      .send(await customerInput(t, { affiliate: { customerId: grandChild.id, percentage: '5', basis: 'revenue' } }));
    expect(res.status).toBe(400);
    expect(res.body.details[0].field).toBe('affiliate.customerId');
    res = await t.http
      .patch(`/api/v1/customers/${ok.id}`)
      .set(reseller.auth)
      .send({ affiliate: { customerId: ok.id, percentage: '5', basis: 'revenue' } });
    expect(res.status).toBe(400);
    res = await t.http
      .patch(`/api/v1/customers/${ok.id}`)
      .set(reseller.auth)
      .send({ affiliate: { customerId: grand.id, percentage: '5', basis: 'revenue' } });
    expect(res.status).toBe(200);
    expect(res.body.affiliate).toEqual({ customerId: grand.id, percentage: '5.00', basis: 'revenue' });
  });

  describe('PATCH', () => {
    let target: Record<string, any>;
    beforeAll(async () => {
      target = await createCustomer(t, reseller.auth, { accountNumber: 'PATCH-ME', creditLimit: '10.00' });
    });

    const badPatches: Array<[string, Record<string, unknown>, string]> = [
      ['credit limit as a number', { creditLimit: 5 }, 'creditLimit'],
      ['negative credit limit', { creditLimit: '-5' }, 'creditLimit'],
      ['null name', { name: null }, 'name'],
      ['null email', { email: null }, 'email'],
      ['null currency', { currency: null }, 'currency'],
      ['unknown currency', { currency: 'ABC' }, 'currency'],
      ['non-IANA zone', { timezone: 'Europe/Nowhere' }, 'timezone'],
      ['unknown enum', { billingType: 'prepay' }, 'billingType'],
      ['over-long name', { name: long(101) }, 'name'],
      ['type', { type: 'residential' }, 'type'],
      ['number', { number: '123' }, 'number'],
      ['password', { password: 'a-long-password' }, 'password'],
      ['username', { username: 'new-login' }, 'username'],
      ['another parent', { parentId: 1 }, 'parentId'],
      ['person name of a normal customer', { personName: 'P' }, 'personName'],
      ['null tax list', { taxIds: null }, 'taxIds'],
    ];

    it.each(badPatches)('refuses %s with a 400 and leaves the customer unchanged', async (_label, body, field) => {
      const before = await customerRow(t, target.id);
      const auditBefore = (await customerRowCounts(t)).audit;
      const res = await t.http.patch(`/api/v1/customers/${target.id}`).set(reseller.auth).send(body);
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await customerRow(t, target.id)).toEqual(before);
      expect((await customerRowCounts(t)).audit).toBe(auditBefore);
    });

    it('accepts the current parent id and an empty change without writing anything', async () => {
      const before = await customerRow(t, target.id);
      const res = await t.http
        .patch(`/api/v1/customers/${target.id}`)
        .set(reseller.auth)
        .send({ parentId: reseller.id, creditLimit: '10.000000' });
      expect(res.status).toBe(200);
      expect(await customerRow(t, target.id)).toEqual(before);
    });

    it('changes the currency only while the balance is zero (409 otherwise)', async () => {
      await t.http.post(`/api/v1/customers/${target.id}/balance`).set(reseller.auth).send({ amount: '3.50', type: 'credit' }).expect(201);
      const res = await t.http.patch(`/api/v1/customers/${target.id}`).set(reseller.auth).send({ currency: 'USD' });
      expect(res.status).toBe(409);
      expect(res.body.details[0].field).toBe('currency');
      expect((await customerRow(t, target.id)).currency).toBe('EUR');
      // Back to 0 through the ledger (an adjustment), the currency may change.
      await postToLedger(t, { customerId: target.id, type: 'adjustment', amount: Money.of('-3.50'), description: 'Back to 0' });
      expect((await t.http.patch(`/api/v1/customers/${target.id}`).set(reseller.auth).send({ currency: 'USD' })).body.currency).toBe('USD');
    });

    it('does not turn reseller off while the customer has live sub-customers (409)', async () => {
      const r = await createCustomer(t, reseller.auth, { reseller: true });
      const child = await createCustomer(t, reseller.auth, { parentId: r.id });
      let res = await t.http.patch(`/api/v1/customers/${r.id}`).set(reseller.auth).send({ reseller: false });
      expect(res.status).toBe(409);
      expect((await customerRow(t, r.id)).reseller).toBe(true);
      expect((await t.http.delete(`/api/v1/customers/${child.id}`).set(reseller.auth)).status).toBe(204);
      res = await t.http.patch(`/api/v1/customers/${r.id}`).set(reseller.auth).send({ reseller: false });
      expect(res.status).toBe(200);
      expect(res.body.reseller).toBe(false);
    });

    it('refuses a plan the parent may not use (404) on change', async () => {
      const rootPrivate = await addRatePlan(t, 1);
      const res = await t.http.patch(`/api/v1/customers/${target.id}`).set(reseller.auth).send({ ratePlanId: rootPrivate.id });
      expect(res.status).toBe(404);
      expect((await customerRow(t, target.id)).ratePlanId).toBe(target.ratePlanId);
    });
  });
});
