/** The customers the bench creates: realistic, varied and the same in every run (seeded). */
import { Random } from '../lib/random';

// prettier-ignore
export const FIRST = ['Northern', 'Blue', 'Harbour', 'Atlantic', 'Green', 'Silver', 'Royal', 'Metro', 'Alpine', 'Coastal', 'Central', 'Eastern',
  'Western', 'Golden', 'Prime', 'Summit', 'Pacific', 'Nordic', 'Rapid', 'Urban', 'Bright', 'Cedar', 'Delta', 'Orbit', 'Pioneer', 'Quartz',
  'Redwood', 'Sterling', 'Thames', 'Union', 'Valley', 'Willow', 'Zenith', 'Granite', 'Lakeside', 'Meridian', 'Oak', 'Phoenix', 'River', 'Sunrise'];
// prettier-ignore
export const SECOND = ['Telecom', 'Networks', 'Voice', 'Communications', 'Connect', 'Hosting', 'Logistics', 'Dental', 'Legal', 'Motors', 'Bakery',
  'Clinic', 'Consulting', 'Estates', 'Foods', 'Freight', 'Hotels', 'Insurance', 'Media', 'Pharmacy', 'Print', 'Solutions', 'Studios',
  'Systems', 'Travel', 'Ventures', 'Works', 'Outfitters', 'Partners', 'Traders'];
const SUFFIX = ['Ltd', 'GmbH', 'Inc', 'LLC', 'SARL', 'BV', 'AB', 'Oy'];
const CITIES = ['London', 'Berlin', 'Paris', 'Madrid', 'Vienna', 'Dublin', 'Oslo', 'Lisbon'];
const COUNTRIES = ['GB', 'DE', 'FR', 'ES', 'AT', 'IE', 'NO', 'PT'];

export function customerFields(i: number, rnd: Random) {
  const name = `${rnd.pick(FIRST)} ${rnd.pick(SECOND)} ${rnd.pick(SUFFIX)} ${String(i).padStart(6, '0')}`;
  const c = rnd.int(0, CITIES.length - 1);
  return {
    name,
    email: `billing.${i}@customer${i % 997}.example.com`,
    accountNumber: `ACC${String(i).padStart(7, '0')}`,
    description: rnd.next() < 0.3 ? `Contract ${rnd.int(1000, 9999)}, ${CITIES[c]} office` : undefined,
    city: CITIES[c],
    country: COUNTRIES[c],
  };
}

export function createBody(i: number, rnd: Random, ratePlanId: number) {
  const f = customerFields(i, rnd);
  return {
    type: 'normal',
    name: f.name,
    email: f.email,
    accountNumber: f.accountNumber,
    ratePlanId,
    billingType: 'prepaid',
    paymentType: 'bank_transfer',
    creditLimit: '50.00',
    ...(f.description ? { description: f.description } : {}),
    billingAddress: { line1: `${rnd.int(1, 400)} High Street`, city: f.city, postcode: `P${rnd.int(1000, 9999)}`, country: f.country },
  };
}
