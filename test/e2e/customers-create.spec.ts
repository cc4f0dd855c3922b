import { TelephonyApi } from '../../src/modules/telephony/telephony.api';
import { verifySecret } from '../../src/shared/secrets';
import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { PersonEntity } from '../../src/modules/identity/entities/person.entity';
import { PasswordTokenEntity } from '../../src/modules/identity/entities/password-token.entity';
import { OutboxEmailEntity } from '../../src/modules/notifications/entities/outbox-email.entity';
import { MailboxEntity } from '../../src/modules/telephony/entities/mailbox.entity';
import { NumberEntity } from '../../src/modules/telephony/entities/number.entity';
import { SipAccountEntity } from '../../src/modules/telephony/entities/sip-account.entity';
import { AuditEntryEntity } from '../../src/shared/entities/audit-entry.entity';
import { loginHeader, startTestApp, TestApp } from '../helpers/app';
import {
  addDialPlan,
  addNumber,
  addRatePlan,
  addRegion,
  addTax,
  createCustomer,
  createReseller,
  customerInput,
  customerRowCounts,
  defaultPlanId,
  setSystemSettings,
} from '../factories/customers';

describe('customers: create, round-trip and plan values (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const outboxFor = (customerId: number) => t.dataSource.getRepository(OutboxEmailEntity).findBy({ customerId });

  it('creates a normal customer with its administrator, a set-password link and the login-details email', async () => {
    const planId = await defaultPlanId(t);
    const res = await t.http
      .post('/api/v1/customers')
      .set(t.auth)
      .send({ type: 'normal', name: 'Acme Ltd', email: 'ops@acme.example', ratePlanId: planId });
    expect(res.status).toBe(201);
    const c = res.body;
    expect(c).toMatchObject({
      parentId: 1,
      type: 'normal',
      name: 'Acme Ltd',
      email: 'ops@acme.example',
      username: 'ops@acme.example',
      ratePlanId: planId,
      currency: 'EUR',
      timezone: 'UTC',
      billingType: 'prepaid',
      paymentType: 'none',
      creditLimit: '0.00',
      lowBalanceThreshold: '0.00',
      balance: '0.00',
      deleted: false,
      reseller: false,
      taxIds: [],
      affiliate: null,
      depth: 1,
    });
    expect(typeof c.personId).toBe('number');
    expect(c.sipSecret).toBeUndefined();

    const row = await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: c.id });
    expect(row.path).toBe(`/1/${c.id}/`);
    const person = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ id: c.personId });
    expect(person).toMatchObject({
      customerId: c.id,
      username: 'ops@acme.example',
      displayName: 'Acme Ltd',
      email: 'ops@acme.example',
      role: 'administrator',
      passwordHash: null,
    });
    expect(await t.dataSource.getRepository(PasswordTokenEntity).countBy({ personId: c.personId })).toBe(1);

    const mails = await outboxFor(c.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ toAddress: 'ops@acme.example', subject: 'Your login details', template: 'login-details' });
    const context = JSON.parse(mails[0].context);
    expect(Object.keys(context).sort()).toEqual([
      'customerName',
      'expiresAt',
      'issuerLogoUrl',
      'issuerName',
      'passwordWasSet',
      'personName',
      'setPasswordUrl',
      'username',
    ]);
    // From the parent (here the system owner), greeting the administrator by the customer's name.
    expect(context).toMatchObject({
      customerName: 'Acme Ltd',
      username: 'ops@acme.example',
      passwordWasSet: false,
      personName: 'Acme Ltd',
      issuerName: 'System owner',
    });
    expect(context.setPasswordUrl).toMatch(/\/set-password\/[\w-]+$/);
    expect(Date.parse(context.expiresAt)).toBeGreaterThan(Date.now());

    const audit = await t.dataSource.getRepository(AuditEntryEntity).findBy({ action: 'customer_created', entityId: String(c.id) });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].details!).fields).toEqual(expect.arrayContaining(['name', 'email', 'ratePlanId']));

    // The emailed link really sets the password.
    const token = String(context.setPasswordUrl).split('/').pop();
    expect((await t.http.post('/api/v1/auth/set-password').send({ token, password: 'a-new-password-1' })).status).toBe(204);
    await expect(loginHeader(t, 'ops@acme.example', 'a-new-password-1')).resolves.toBeDefined();
  });

  it('stores a password given through the API hashed, and never emails it', async () => {
    const password = 'given-through-api-42';
    const res = await t.http
      .post('/api/v1/customers')
      .set(t.auth)
      .send(await customerInput(t, { username: 'pw-user', password }));
    expect(res.status).toBe(201);
    expect(JSON.stringify(res.body)).not.toContain(password);
    const person = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ id: res.body.personId });
    expect(person.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifySecret(person.passwordHash, password)).toBe(true);
    expect(await t.dataSource.getRepository(PasswordTokenEntity).countBy({ personId: person.id })).toBe(0);
    const [mail] = await outboxFor(res.body.id);
    expect(JSON.parse(mail.context)).toEqual({
      customerName: res.body.name,
      username: 'pw-user',
      setPasswordUrl: null,
      expiresAt: null,
      passwordWasSet: true,
      personName: res.body.name,
      issuerName: 'System owner',
      issuerLogoUrl: null,
    });
    expect(JSON.stringify(mail)).not.toContain(password);
    const audit = await t.dataSource
      .getRepository(AuditEntryEntity)
      .findOneByOrFail({ action: 'customer_created', entityId: String(res.body.id) });
    expect(audit.details).not.toContain(password);
    expect((await t.http.get('/api/v1/auth/me').set(await loginHeader(t, 'pw-user', password))).body.customerId).toBe(res.body.id);
  });

  it('creates a residential customer: person, SIP account, mailbox and the number, all named after the number', async () => {
    const { id: numberId, number } = await addNumber(t, 1, '442071000001');
    const res = await t.http
      .post('/api/v1/customers')
      .set(t.auth)
      .send({ type: 'residential', number, personName: 'Jane Smith', email: 'jane@home.example', ratePlanId: await defaultPlanId(t) });
    expect(res.status).toBe(201);
    const c = res.body;
    expect(c).toMatchObject({ type: 'residential', name: number, number, personName: 'Jane Smith', username: number, numberId });
    expect(c.sipSecret).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(c.mailboxPin).toMatch(/^\d{4,6}$/);

    const person = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ id: c.personId });
    expect(person).toMatchObject({
      customerId: c.id,
      username: number,
      displayName: 'Jane Smith',
      role: 'administrator',
      email: 'jane@home.example',
    });
    const sip = await t.dataSource.getRepository(SipAccountEntity).findOneByOrFail({ id: c.sipAccountId });
    expect(sip).toMatchObject({ customerId: c.id, username: number, secret: c.sipSecret });
    const mailbox = await t.dataSource.getRepository(MailboxEntity).findOneByOrFail({ id: c.mailboxId });
    expect(mailbox).toMatchObject({ customerId: c.id, mailbox: number });
    expect(mailbox.pinHash).not.toContain(c.mailboxPin);
    expect(await verifySecret(mailbox.pinHash, c.mailboxPin)).toBe(true);
    const num = await t.dataSource.getRepository(NumberEntity).findOneByOrFail({ id: numberId });
    expect(num).toMatchObject({ customerId: c.id, sipAccountId: c.sipAccountId, ownerCustomerId: 1 });
    const [mail] = await outboxFor(c.id);
    expect(JSON.parse(mail.context)).toMatchObject({ customerName: number, username: number, passwordWasSet: false });

    // Secrets are shown once, in the create answer only.
    const again = await t.http.get(`/api/v1/customers/${c.id}`).set(t.auth);
    expect(again.status).toBe(200);
    expect(again.body.sipSecret).toBeUndefined();
    expect(again.body.mailboxPin).toBeUndefined();
    expect(again.body).toMatchObject({ number, personName: 'Jane Smith' });

    // The person's name is editable; the customer name stays the number.
    const patched = await t.http.patch(`/api/v1/customers/${c.id}`).set(t.auth).send({ personName: 'Jane Doe' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ personName: 'Jane Doe', name: number });
    expect((await t.http.patch(`/api/v1/customers/${c.id}`).set(t.auth).send({ name: 'Something else' })).status).toBe(400);
  });

  it('lets a reseller make a residential customer from its own numbers, with a password given through the API', async () => {
    const reseller = await createReseller(t, t.auth);
    const { id: numberId, number } = await addNumber(t, reseller.id, '442071000050');
    const res = await t.http
      .post('/api/v1/customers')
      .set(reseller.auth)
      .send({
        type: 'residential',
        number,
        personName: 'Res Ident',
        email: 'res@home.example',
        ratePlanId: await defaultPlanId(t),
        password: 'residential-pw-1',
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ parentId: reseller.id, number, numberId, depth: 2 });
    const [mail] = await outboxFor(res.body.id);
    expect(JSON.parse(mail.context)).toMatchObject({ username: number, passwordWasSet: true, setPasswordUrl: null });
    expect((await t.http.get('/api/v1/auth/me').set(await loginHeader(t, number, 'residential-pw-1'))).body.customerId).toBe(res.body.id);
  });

  it('refuses a number that is not a free number of the parent (409) and creates nothing', async () => {
    const other = await createCustomer(t, t.auth, { reseller: true });
    const taken = await addNumber(t, 1, '442071000100', other.id);
    const foreign = await addNumber(t, other.id, '442071000101');
    const planId = await defaultPlanId(t);
    for (const number of [taken.number, foreign.number, '442071000199']) {
      const before = await customerRowCounts(t);
      const res = await t.http
        .post('/api/v1/customers')
        .set(t.auth)
        .send({ type: 'residential', number, personName: 'P', email: 'p@example.com', ratePlanId: planId });
      expect(res.status).toBe(409);
      expect(res.body.details).toEqual([{ field: 'number', message: expect.any(String), code: 'already_exists' }]);
      expect(await customerRowCounts(t)).toEqual(before);
    }
    expect((await t.dataSource.getRepository(NumberEntity).findOneByOrFail({ id: foreign.id })).customerId).toBeNull();
  });

  it('rolls everything back when a later step fails: the login name or SIP account is already taken', async () => {
    const planId = await defaultPlanId(t);
    // A person elsewhere already logs in with this number as username.
    await createCustomer(t, t.auth, { username: '442071000200' });
    const n1 = await addNumber(t, 1, '442071000200');
    let before = await customerRowCounts(t);
    let res = await t.http
      .post('/api/v1/customers')
      .set(t.auth)
      .send({ type: 'residential', number: n1.number, personName: 'P', email: 'p@example.com', ratePlanId: planId });
    expect(res.status).toBe(409);
    expect(res.body.details[0].field).toBe('number');
    expect(await customerRowCounts(t)).toEqual(before);
    expect((await t.dataSource.getRepository(NumberEntity).findOneByOrFail({ id: n1.id })).customerId).toBeNull();

    // A SIP account with that username exists (made by hand): same outcome.
    const n2 = await addNumber(t, 1, '442071000201');
    await t.dataSource.getRepository(SipAccountEntity).insert({
      customerId: 1,
      username: n2.number,
      secret: 'x',
      displayName: 'x',
      maxConcurrentCalls: null,
      deletedAt: null,
      createdAt: t.clock.now(),
    });
    before = await customerRowCounts(t);
    res = await t.http
      .post('/api/v1/customers')
      .set(t.auth)
      .send({ type: 'residential', number: n2.number, personName: 'P', email: 'p@example.com', ratePlanId: planId });
    expect(res.status).toBe(409);
    expect(await customerRowCounts(t)).toEqual(before);

    // The same for a normal customer whose username is taken.
    before = await customerRowCounts(t);
    res = await t.http
      .post('/api/v1/customers')
      .set(t.auth)
      .send(await customerInput(t, { username: '442071000200' }));
    expect(res.status).toBe(409);
    expect(res.body.details).toEqual([{ field: 'username', message: 'is already taken', code: 'already_exists' }]);
    expect(await customerRowCounts(t)).toEqual(before);
  });

  it('gives the number to exactly one of two concurrent residential creations; the other creates nothing', async () => {
    const planId = await defaultPlanId(t);
    for (let round = 0; round < 3; round++) {
      const { id: numberId, number } = await addNumber(t, 1, `44207100030${round}`);
      const before = await customerRowCounts(t);
      const send = (name: string) =>
        t.http
          .post('/api/v1/customers')
          .set(t.auth)
          .send({ type: 'residential', number, personName: name, email: `${name}@example.com`, ratePlanId: planId });
      const results = await Promise.all([send('first'), send('second')]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      const winner = results.find((r) => r.status === 201)!.body;
      const after = await customerRowCounts(t);
      expect(after.customers - before.customers).toBe(1);
      expect(after.people - before.people).toBe(1);
      expect(after.sipAccounts - before.sipAccounts).toBe(1);
      expect(after.mailboxes - before.mailboxes).toBe(1);
      expect(after.assignedNumbers - before.assignedNumbers).toBe(1);
      expect(after.outbox - before.outbox).toBe(1);
      expect((await t.dataSource.getRepository(NumberEntity).findOneByOrFail({ id: numberId })).customerId).toBe(winner.id);
    }
  });

  it('claims a number only while it is free (compare-and-set)', async () => {
    const repo = t.app.get(TelephonyApi);
    const { id } = await addNumber(t, 1, '442071000399');
    expect(await t.dataSource.transaction((em) => repo.claimNumber(em, id, 1))).toBe(true);
    expect(await t.dataSource.transaction((em) => repo.claimNumber(em, id, 1))).toBe(false);
  });

  it('stores, shows and changes every field of the seed page (POST → GET → PATCH → GET)', async () => {
    await setSystemSettings(t, { customerPrefixes: true, regions: true });
    const region1 = await addRegion(t);
    const region2 = await addRegion(t);
    const dial1 = await addDialPlan(t, 1);
    const dial2 = await addDialPlan(t, 1);
    const tax1 = await addTax(t, 1);
    const tax2 = await addTax(t, 1, { percentage: null, flatAmount: null });
    const plan1 = await addRatePlan(t, 1, { currency: 'USD' });
    const plan2 = await addRatePlan(t, 1, { currency: 'GBP' });
    const aff1 = await createCustomer(t, t.auth);
    const aff2 = await createCustomer(t, t.auth);

    const input = {
      type: 'normal',
      name: 'Every Field <b>Ltd</b>',
      email: 'every@field.example',
      username: 'every-field',
      description: 'All the fields',
      accountNumber: 'ACC-0001',
      reseller: true,
      directory: true,
      prefix: '4401',
      lockedWeb: false,
      lockedCalls: true,
      dailySpendLimit: '25.50',
      maxConcurrentCalls: 8,
      purgeVoicemail: true,
      maxVoicemailsPerFolder: 50,
      externalCallerId: true,
      regionId: region1.id,
      timezone: 'America/New_York',
      dialPlanId: dial1.id,
      ratePlanId: plan1.id,
      billingType: 'postpaid',
      billingReference: 'EXT-77',
      taxReference: 'GB123456789',
      paymentType: 'direct_debit',
      invoiceDueDays: 14,
      sendInvoices: false,
      invoiceFormat: 'xml',
      invoiceDetail: 'calls',
      currency: 'CHF',
      minimumContractMonths: 12,
      creditLimit: '100.00',
      taxIds: [tax2.id, tax1.id],
      lowBalanceThreshold: '5.00',
      autoTopUp: true,
      billingAddress: {
        line1: '1 High St',
        line2: 'Floor 2',
        line3: null,
        city: 'London',
        state: 'Greater London',
        postcode: 'EC1A 1BB',
        country: 'gb',
      },
      affiliate: { customerId: aff1.id, percentage: '12.5', basis: 'profit' },
    };
    const created = await t.http.post('/api/v1/customers').set(t.auth).send(input);
    expect(created.status).toBe(201);
    const expected = {
      ...input,
      username: 'every-field',
      taxIds: [tax1.id, tax2.id].sort((a, b) => a - b),
      billingAddress: { ...input.billingAddress, country: 'GB' },
      affiliate: { customerId: aff1.id, percentage: '12.50', basis: 'profit' },
      lockedWebEffective: false,
      lockedCallsEffective: true,
      number: null,
      personName: null,
    };
    delete (expected as Record<string, unknown>).type;
    const got = await t.http.get(`/api/v1/customers/${created.body.id}`).set(t.auth);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ ...expected, type: 'normal' });
    expect(got.body.effective).toEqual({
      dailySpendLimit: '25.50',
      maxConcurrentCalls: 8,
      externalCallerId: true,
      dialPlanId: dial1.id,
      invoiceDueDays: 14,
      sendInvoices: false,
      invoiceFormat: 'xml',
      invoiceDetail: 'calls',
      minimumContractMonths: 12,
    });

    const change = {
      name: 'Changed & Co',
      email: 'changed@field.example',
      description: 'Changed',
      accountNumber: 'ACC-0002',
      reseller: false,
      directory: false,
      prefix: '4402',
      lockedWeb: true,
      lockedCalls: false,
      dailySpendLimit: 'unlimited',
      maxConcurrentCalls: 'unlimited',
      purgeVoicemail: false,
      maxVoicemailsPerFolder: 10000,
      externalCallerId: false,
      regionId: region2.id,
      timezone: 'Asia/Kolkata',
      dialPlanId: dial2.id,
      ratePlanId: plan2.id,
      billingType: 'prepaid_invoices',
      billingReference: 'EXT-78',
      taxReference: 'GB987654321',
      paymentType: 'credit_card',
      invoiceDueDays: 0,
      sendInvoices: true,
      invoiceFormat: 'pdf',
      invoiceDetail: 'destinations',
      currency: 'JPY',
      minimumContractMonths: 36,
      creditLimit: '0.000001',
      taxIds: [tax2.id],
      lowBalanceThreshold: '0.00',
      autoTopUp: false,
      billingAddress: { line1: 'Rue 1', city: 'Paris', country: 'FR' },
      affiliate: { customerId: aff2.id, percentage: '100', basis: 'revenue' },
    };
    const patched = await t.http.patch(`/api/v1/customers/${created.body.id}`).set(t.auth).send(change);
    expect(patched.status).toBe(200);
    const again = await t.http.get(`/api/v1/customers/${created.body.id}`).set(t.auth);
    expect(again.body).toEqual(patched.body);
    expect(again.body).toMatchObject({
      ...change,
      creditLimit: '0.000001',
      billingAddress: { line1: 'Rue 1', line2: null, line3: null, city: 'Paris', state: null, postcode: null, country: 'FR' },
      affiliate: { customerId: aff2.id, percentage: '100.00', basis: 'revenue' },
      lockedWebEffective: true,
      lockedCallsEffective: false,
    });
    expect(again.body.effective).toMatchObject({
      dailySpendLimit: 'unlimited',
      maxConcurrentCalls: 'unlimited',
      invoiceDueDays: 0,
      sendInvoices: true,
    });
    const audit = await t.dataSource
      .getRepository(AuditEntryEntity)
      .findOneByOrFail({ action: 'customer_updated', entityId: String(created.body.id) });
    expect(JSON.parse(audit.details!).fields.sort()).toEqual(Object.keys(change).sort());

    // Nullable fields clear with null; text fields clear with "" too.
    const cleared = await t.http.patch(`/api/v1/customers/${created.body.id}`).set(t.auth).send({
      description: '',
      accountNumber: null,
      prefix: '',
      dailySpendLimit: null,
      maxConcurrentCalls: null,
      maxVoicemailsPerFolder: null,
      externalCallerId: null,
      regionId: null,
      dialPlanId: null,
      billingReference: null,
      taxReference: '',
      invoiceDueDays: null,
      sendInvoices: null,
      invoiceFormat: null,
      invoiceDetail: null,
      minimumContractMonths: null,
      taxIds: [],
      billingAddress: null,
      affiliate: null,
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({
      description: null,
      accountNumber: null,
      prefix: null,
      dailySpendLimit: null,
      maxConcurrentCalls: null,
      maxVoicemailsPerFolder: null,
      externalCallerId: null,
      regionId: null,
      dialPlanId: null,
      billingReference: null,
      taxReference: null,
      invoiceDueDays: null,
      sendInvoices: null,
      invoiceFormat: null,
      invoiceDetail: null,
      minimumContractMonths: null,
      taxIds: [],
      billingAddress: { line1: null, line2: null, line3: null, city: null, state: null, postcode: null, country: null },
      affiliate: null,
    });
    await setSystemSettings(t, { customerPrefixes: false, regions: false });
  });

  it('shows the same customer in the list as in GET', async () => {
    const c = await createCustomer(t, t.auth, { accountNumber: 'LIST-SAME', description: 'same' });
    const list = await t.http.get('/api/v1/customers').query({ search: 'LIST-SAME' }).set(t.auth);
    expect(list.body.items).toEqual([(await t.http.get(`/api/v1/customers/${c.id}`).set(t.auth)).body]);
  });

  it('resolves "use the rate plan\'s value" through the plan and what it inherits from, then the platform defaults', async () => {
    const dial = await addDialPlan(t, 1);
    const base = await addRatePlan(t, 1, {
      dailySpendLimitMicros: '5000000',
      maxConcurrentCalls: 3,
      externalCallerId: true,
      dialPlanId: dial.id,
      invoiceDueDays: 14,
      sendInvoices: false,
      invoiceFormat: 'xml',
      invoiceDetail: 'calls',
      minimumContractMonths: 12,
    });
    const child = await addRatePlan(t, 1, { inheritsFromId: base.id, invoiceDueDays: 7, maxConcurrentCalls: -1 });
    const c = await createCustomer(t, t.auth, { ratePlanId: child.id });
    expect(c).toMatchObject({
      dailySpendLimit: null,
      maxConcurrentCalls: null,
      externalCallerId: null,
      invoiceDueDays: null,
      sendInvoices: null,
    });
    expect(c.effective).toEqual({
      dailySpendLimit: '5.00',
      maxConcurrentCalls: 'unlimited',
      externalCallerId: true,
      dialPlanId: dial.id,
      invoiceDueDays: 7,
      sendInvoices: false,
      invoiceFormat: 'xml',
      invoiceDetail: 'calls',
      minimumContractMonths: 12,
    });
    // The customer's own values win, including 0 and false.
    const own = await t.http.patch(`/api/v1/customers/${c.id}`).set(t.auth).send({
      dailySpendLimit: '0.00',
      maxConcurrentCalls: 0,
      invoiceDueDays: 0,
      sendInvoices: true,
      externalCallerId: false,
      minimumContractMonths: 0,
    });
    expect(own.body.effective).toMatchObject({
      dailySpendLimit: '0.00',
      maxConcurrentCalls: 0,
      invoiceDueDays: 0,
      sendInvoices: true,
      externalCallerId: false,
      minimumContractMonths: 0,
    });
    // Changing the plan changes the values in force for what the customer leaves unset.
    const onDefault = await t.http
      .patch(`/api/v1/customers/${c.id}`)
      .set(t.auth)
      .send({
        ratePlanId: await defaultPlanId(t),
        dailySpendLimit: null,
        maxConcurrentCalls: null,
        invoiceDueDays: null,
        sendInvoices: null,
        externalCallerId: null,
        minimumContractMonths: null,
      });
    expect(onDefault.body.effective).toEqual({
      dailySpendLimit: 'unlimited',
      maxConcurrentCalls: 'unlimited',
      externalCallerId: false,
      dialPlanId: null,
      invoiceDueDays: 30,
      sendInvoices: true,
      invoiceFormat: 'pdf',
      invoiceDetail: 'summary',
      minimumContractMonths: 0,
    });
  });

  it('takes the currency from the rate plan and the time zone from the parent unless given; taxes marked for new customers by default', async () => {
    const plan = await addRatePlan(t, 1, { currency: 'SEK', sharing: 'recursive' });
    const forNew = await addTax(t, 1, { defaultLiability: 'new' });
    const forAll = await addTax(t, 1, { defaultLiability: 'all' });
    await addTax(t, 1, { defaultLiability: 'none' });
    const parent = await createCustomer(t, t.auth, { reseller: true, timezone: 'europe/stockholm' });
    expect(parent.timezone).toBe('Europe/Stockholm');
    expect(parent.taxIds).toEqual([forNew.id, forAll.id].sort((a, b) => a - b));
    const child = await createCustomer(t, t.auth, { parentId: parent.id, ratePlanId: plan.id });
    expect(child).toMatchObject({ currency: 'SEK', timezone: 'Europe/Stockholm', parentId: parent.id, depth: 2, taxIds: [] });
    const explicit = await createCustomer(t, t.auth, { ratePlanId: plan.id, currency: 'NOK', taxIds: [] });
    expect(explicit).toMatchObject({ currency: 'NOK', taxIds: [] });
  });

  it("by default also makes a new customer liable for the taxes its parent's ancestors share, never for deleted or unshared ones", async () => {
    const reseller = await createCustomer(t, t.auth, { reseller: true, taxIds: [] });
    const subReseller = await createCustomer(t, t.auth, { parentId: reseller.id, reseller: true, taxIds: [] });
    const sharedByOwner = await addTax(t, 1, { defaultLiability: 'all', shared: true });
    await addTax(t, 1, { defaultLiability: 'new', shared: false }); // the owner's own: only for its direct customers
    await addTax(t, 1, { defaultLiability: 'new', shared: true, deletedAt: t.clock.now() });
    await addTax(t, 1, { defaultLiability: 'none', shared: true });
    const sharedByReseller = await addTax(t, reseller.id, { defaultLiability: 'new', shared: true });
    const ownOfSubReseller = await addTax(t, subReseller.id, { defaultLiability: 'new' });
    const otherBranch = await createCustomer(t, t.auth, { reseller: true, taxIds: [] });
    await addTax(t, otherBranch.id, { defaultLiability: 'new', shared: true });
    const child = await createCustomer(t, t.auth, { parentId: subReseller.id });
    expect(child.taxIds).toEqual([sharedByOwner.id, sharedByReseller.id, ownOfSubReseller.id].sort((a, b) => a - b));
  });

  it('stores names with markup exactly as typed', async () => {
    const name = `<script>alert("x")</script> & 'Co' ü`;
    const c = await createCustomer(t, t.auth, { name, description: '<img src=x onerror=alert(1)>' });
    const got = await t.http.get(`/api/v1/customers/${c.id}`).set(t.auth);
    expect(got.body.name).toBe(name);
    expect(got.body.description).toBe('<img src=x onerror=alert(1)>');
    expect((await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: c.id })).name).toBe(name);
  });

  it('describes the customer endpoints in the OpenAPI document', async () => {
    const doc = (await t.http.get('/api/docs-json')).body;
    expect(doc.paths['/api/v1/customers'].post).toBeDefined();
    expect(doc.paths['/api/v1/customers/{id}'].patch).toBeDefined();
    expect(doc.paths['/api/v1/customers/{id}/undelete'].post).toBeDefined();
    const props = doc.components.schemas.CreateCustomerDto.properties;
    for (const f of [
      'type',
      'number',
      'personName',
      'creditLimit',
      'dailySpendLimit',
      'billingAddress',
      'affiliate',
      'taxIds',
      'minimumContractMonths',
    ])
      expect(props[f]).toBeDefined();
    expect(doc.components.schemas.CustomerView.properties.effective).toBeDefined();
    expect(doc.components.schemas.CreateCustomerDto.required.sort()).toEqual(['email', 'ratePlanId', 'type']);
    expect(doc.components.schemas.UpdateCustomerDto.required ?? []).toEqual([]);
  });
});
