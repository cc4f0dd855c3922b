import { phoneNumberForms } from './customer-search';

describe('phoneNumberForms: what an operator types for a telephone number, as the numbers may be kept', () => {
  it('reads +, 00 and spaces, dashes, dots, brackets as one international number', () => {
    for (const typed of ['+44 20 7946 0000', '0044 20 7946 0000', '+44 (20) 7946-0000', '+44.20.7946.0000', '442079460000']) {
      expect(phoneNumberForms(typed, null)).toContain('442079460000');
    }
  });
  it('reads a national number with the country given, and offers the national form of a number of that country', () => {
    expect(phoneNumberForms('020 7946 0000', 'GB')).toEqual(expect.arrayContaining(['02079460000', '442079460000']));
    expect(phoneNumberForms('(020) 7946-0000', 'gb')).toContain('442079460000');
    expect(phoneNumberForms('+44 20 7946 0000', 'GB')).toContain('02079460000');
    expect(phoneNumberForms('06 12 34 56 78', 'FR')).toContain('33612345678');
    // Italy keeps the leading 0 after the country code.
    expect(phoneNumberForms('06 1234 5678', 'IT')).toContain('390612345678');
    // Without a country only the digits themselves.
    expect(phoneNumberForms('020 7946 0000', null)).toEqual(['02079460000']);
    expect(phoneNumberForms('020 7946 0000', 'XX')).toEqual(['02079460000']);
  });
  it('is empty for text that is not a telephone number', () => {
    expect(phoneNumberForms('Acme', 'GB')).toEqual([]);
    expect(phoneNumberForms('44', 'GB')).toEqual([]);
    expect(phoneNumberForms('+44 20 7946 0000 ext', 'GB')).toEqual([]);
    expect(phoneNumberForms('1'.repeat(21), null)).toEqual([]);
  });
});
