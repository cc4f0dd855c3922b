/**
 * Customer search: "case-insensitive text in name, account number, email, description or billing
 * reference". Instead of five LOWER(col) LIKE '%term%' per row, the repository keeps one lower-cased
 * column (`customers.search_text`) inside the index the list walks, so a search reads that index only,
 * once. Pure code: no Nest, no TypeORM.
 */

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
