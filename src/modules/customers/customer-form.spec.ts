import type { CustomerView } from './dto/customer.view';
import { countryOptions, customerFormSchema, customerFormValues, placedFields, readCustomerForm } from './customer-form';

const flags = { customerPrefixes: false, regions: false };

describe('customer form', () => {
  it('has the residential fields only for residential customers, prefix and region only when enabled', () => {
    const normal = customerFormSchema('normal', 'create', flags);
    expect(Object.keys(normal)).toEqual(expect.arrayContaining(['name', 'username', 'email', 'ratePlanId', 'billingAddress']));
    expect(normal.number).toBeUndefined();
    expect(normal.prefix).toBeUndefined();
    const residential = customerFormSchema('residential', 'create', { customerPrefixes: true, regions: true });
    expect(residential.number).toBe('text');
    expect(residential.personName).toBe('text');
    expect(residential.name).toBeUndefined();
    expect(residential.prefix).toBe('text?');
    expect(residential.regionId).toBe('int?');
    expect(customerFormSchema('normal', 'edit', flags).type).toBeUndefined();
    expect(placedFields('normal', 'create', flags)).toEqual(
      expect.arrayContaining(['billingAddress.country', 'affiliate.percentage', 'dailySpendLimit']),
    );
  });

  it('reads the limit pairs: rate plan value, unlimited, or the amount typed', () => {
    const read = (body: Record<string, unknown>) => readCustomerForm(body, 'normal', 'create', flags);
    expect(read({ dailySpendLimitMode: '' }).dailySpendLimit).toBeNull();
    expect(read({ dailySpendLimitMode: 'unlimited', dailySpendLimit: '5' }).dailySpendLimit).toBe('unlimited');
    expect(read({ dailySpendLimitMode: 'amount', dailySpendLimit: '5.25' }).dailySpendLimit).toBe('5.25');
    expect(read({ dailySpendLimitMode: '', dailySpendLimit: '5.25' }).dailySpendLimit).toBe('5.25');
    expect(read({ dailySpendLimitMode: 'amount', dailySpendLimit: '' }).dailySpendLimit).toBe('');
    expect(read({ maxConcurrentCallsMode: 'amount', maxConcurrentCalls: '10' }).maxConcurrentCalls).toBe(10);
    expect(read({ maxConcurrentCallsMode: 'unlimited' }).maxConcurrentCalls).toBe('unlimited');
  });

  it('reads the affiliate and the address, empty meaning none', () => {
    const read = (body: Record<string, unknown>) => readCustomerForm(body, 'normal', 'create', flags);
    expect(read({ affiliate: { customerId: '', percentage: '5', basis: 'revenue' } }).affiliate).toBeNull();
    expect(read({ affiliate: { customerId: '7', percentage: '5.5', basis: 'profit' } }).affiliate).toEqual({
      customerId: 7,
      percentage: '5.5',
      basis: 'profit',
    });
    expect(read({ affiliate: { customerId: '7' } }).affiliate).toEqual({ customerId: 7, percentage: '', basis: '' });
    expect(read({ billingAddress: { city: '', country: '' } }).billingAddress).toBeNull();
    expect(read({}).billingAddress).toBeNull();
    expect(read({ billingAddress: { city: 'Leeds' } }).billingAddress).toEqual({
      line1: null,
      line2: null,
      line3: null,
      city: 'Leeds',
      state: null,
      postcode: null,
      country: null,
    });
    expect(read({ type: 'residential' }).type).toBe('normal');
  });

  it('turns a customer into form values and back without changing it', () => {
    const c = {
      id: 9,
      type: 'normal',
      name: 'Acme',
      personName: null,
      number: null,
      description: null,
      email: 'a@example.com',
      accountNumber: 'A-1',
      reseller: true,
      directory: false,
      prefix: null,
      lockedWeb: false,
      lockedCalls: true,
      dailySpendLimit: 'unlimited',
      maxConcurrentCalls: 4,
      purgeVoicemail: false,
      maxVoicemailsPerFolder: null,
      externalCallerId: false,
      regionId: null,
      timezone: 'Europe/London',
      dialPlanId: null,
      ratePlanId: 2,
      billingType: 'postpaid',
      billingReference: null,
      taxReference: 'T',
      paymentType: 'cash',
      invoiceDueDays: 0,
      sendInvoices: null,
      invoiceFormat: 'pdf',
      invoiceDetail: null,
      currency: 'EUR',
      minimumContractMonths: 12,
      creditLimit: '10.00',
      taxIds: [1, 3],
      lowBalanceThreshold: '0.00',
      autoTopUp: false,
      billingAddress: { line1: 'x', line2: null, line3: null, city: null, state: null, postcode: null, country: 'GB' },
      affiliate: { customerId: 4, percentage: '2.50', basis: 'revenue' },
    } as unknown as CustomerView;
    const values = customerFormValues(c);
    expect(values).toMatchObject({
      reseller: 'on',
      lockedCalls: 'on',
      lockedWeb: '',
      dailySpendLimitMode: 'unlimited',
      maxConcurrentCallsMode: 'amount',
      maxConcurrentCalls: '4',
      externalCallerId: 'false',
      sendInvoices: '',
      invoiceDueDays: '0',
      taxIds: ['1', '3'],
    });
    const back = readCustomerForm(values, 'normal', 'edit', flags);
    expect(back).toMatchObject({
      name: 'Acme',
      description: null,
      reseller: true,
      lockedCalls: true,
      lockedWeb: false,
      dailySpendLimit: 'unlimited',
      maxConcurrentCalls: 4,
      externalCallerId: false,
      sendInvoices: null,
      invoiceDueDays: 0,
      invoiceFormat: 'pdf',
      minimumContractMonths: 12,
      taxIds: [1, 3],
      ratePlanId: 2,
      billingAddress: { line1: 'x', country: 'GB', city: null },
      affiliate: { customerId: 4, percentage: '2.50', basis: 'revenue' },
    });
    expect('type' in back).toBe(false);
  });

  it('lists countries by name with their ISO code', () => {
    const list = countryOptions();
    expect(list.find((c) => c.value === 'GB')?.label).toBe('United Kingdom (GB)');
    expect(list.find((c) => c.value === 'EU')).toBeUndefined();
    expect(list.length).toBeGreaterThan(240);
  });
});
