/**
 * Customer search: "case-insensitive text in name, account number, email, description or billing
 * reference". Instead of five LOWER(col) LIKE '%term%' per row, the repository keeps one lower-cased
 * column (`customers.search_text`) inside the index the list walks, so a search reads that index only,
 * once. Pure code: no Nest, no TypeORM.
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** Longest search text kept in the index (MariaDB limits an index key to 3072 bytes: 640 x 4 + the other columns). */
export const SEARCH_TEXT_MAX = 640;

/**
 * Between the fields, so that a term never matches across two of them. No field can contain it (names,
 * descriptions and references refuse control characters, account numbers and emails have fixed patterns).
 */
export const SEARCH_SEPARATOR = '\u001f';

/** The searched columns of a customer row. */
export interface SearchableFields {
  name: string;
  accountNumber: string | null;
  /** Where a deleted customer's account number is kept (deleted customers are found by it too). */
  deletedAccountNumber: string | null;
  email: string;
  description: string | null;
  billingReference: string | null;
}

/** Case folding for both the stored text and the term: the same on SQLite and MariaDB. */
export function foldCase(text: string): string {
  return text.toLowerCase();
}

function fieldsOf(c: SearchableFields): string[] {
  // The API shows a deleted customer's retired account number; the list found it by COALESCE(live, retired).
  const account = c.accountNumber ?? c.deletedAccountNumber;
  return [c.name, account, c.email, c.description, c.billingReference].filter(
    (v): v is string => v !== null && v !== undefined && v !== '',
  );
}

/**
 * The value of `search_text` for a row, or null when it would not fit into SEARCH_TEXT_MAX characters.
 * Such a row (and one written by code that does not set the column) is matched from its columns instead.
 */
export function searchTextOf(c: SearchableFields): string | null {
  const text = fieldsOf(c).map(foldCase).join(SEARCH_SEPARATOR);
  // .length counts UTF-16 units, never fewer than the characters the database counts.
  return text.length <= SEARCH_TEXT_MAX ? text : null;
}

/** True when `searchTextOf(c)` would need recomputing after `changes`. */
export function touchesSearchFields(changes: Partial<SearchableFields>): boolean {
  return (['name', 'accountNumber', 'deletedAccountNumber', 'email', 'description', 'billingReference'] as const).some(
    (k) => changes[k] !== undefined,
  );
}

/** The term as it is compared with search_text; null when it cannot occur in any row's search text. */
export function searchTerm(raw: string): string | null {
  const term = foldCase(raw);
  return term.includes(SEARCH_SEPARATOR) ? null : term;
}

/** The same test as `search_text LIKE '%term%'`, on the columns of a row whose search_text is not kept. */
export function matchesSearch(c: SearchableFields, raw: string): boolean {
  const term = foldCase(raw);
  return fieldsOf(c).some((f) => foldCase(f).includes(term));
}

/** Text an operator types for a telephone number: digits with an optional leading "+", spaces, dots, dashes, slashes, brackets. */
const PHONE_TEXT = /^\+?[\d\s().\-/]+$/;

/**
 * The stored forms a telephone number typed in any usual way may have: numbers are kept as digits, in
 * international form without "+" (442079460000) or in a local plan (02079460000). "+44 20 7946 0000" and
 * "0044 20 7946 0000" are international; "020 7946 0000" is national, read with `country` (ISO 3166
 * alpha-2, the customer's; without one only its digits are looked for). Empty when the text is not a
 * telephone number. Pure: libphonenumber-js's metadata, no I/O.
 */
export function phoneNumberForms(text: string, country: string | null): string[] {
  const t = text.trim();
  if (!PHONE_TEXT.test(t)) return [];
  const digits = t.replace(/\D/g, '');
  if (digits.length < 3 || digits.length > 20) return [];
  const out = new Set<string>([digits]);
  const region = country && /^[a-z]{2}$/i.test(country) && isSupportedCountry(country.toUpperCase()) ? (country.toUpperCase() as CountryCode) : undefined;
  const international = t.startsWith('+') ? digits : digits.startsWith('00') ? digits.slice(2) : null;
  const parsed = international !== null ? parsePhoneNumberFromString(`+${international}`) : region ? parsePhoneNumberFromString(t, region) : undefined;
  if (international !== null) out.add(international);
  if (parsed) {
    out.add(parsed.number.slice(1));
    // A number of the customer's own country may be kept as dialled there (trunk prefix and all).
    if (region && parsed.country === region) out.add(parsed.formatNational().replace(/\D/g, ''));
  }
  return [...out].filter((d) => d.length >= 3 && d.length <= 20);
}
