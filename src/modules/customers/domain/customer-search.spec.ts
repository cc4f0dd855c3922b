import {
  matchesSearch,
  SEARCH_SEPARATOR,
  SEARCH_TEXT_MAX,
  SearchableFields,
  searchTerm,
  searchTextOf,
  touchesSearchFields,
} from './customer-search';

const row = (over: Partial<SearchableFields> = {}): SearchableFields => ({
  name: 'Harbour Voice Ltd',
  accountNumber: 'ACC-7',
  deletedAccountNumber: null,
  email: 'Billing@Harbour.example',
  description: null,
  billingReference: 'PO-1',
  ...over,
});

describe('customer search text', () => {
  it('joins the lower-cased fields that are set, with a separator no field can contain', () => {
    expect(searchTextOf(row())).toBe(['harbour voice ltd', 'acc-7', 'billing@harbour.example', 'po-1'].join(SEARCH_SEPARATOR));
    expect(searchTextOf(row({ description: 'Ärzte', billingReference: '' }))).toBe(
      ['harbour voice ltd', 'acc-7', 'billing@harbour.example', 'ärzte'].join(SEARCH_SEPARATOR),
    );
  });

  it("uses a deleted customer's retired account number", () => {
    expect(searchTextOf(row({ accountNumber: null, deletedAccountNumber: 'OLD-1' }))).toContain('old-1');
  });

  it('is null when longer than the index takes, exactly at the limit', () => {
    const fixed = searchTextOf(row({ description: '' }))!.length + 1; // + the separator before the description
    expect(searchTextOf(row({ description: 'x'.repeat(SEARCH_TEXT_MAX - fixed) }))).toHaveLength(SEARCH_TEXT_MAX);
    expect(searchTextOf(row({ description: 'x'.repeat(SEARCH_TEXT_MAX - fixed + 1) }))).toBeNull();
  });

  it('knows which changes need it recomputed', () => {
    expect(touchesSearchFields({ name: 'x' })).toBe(true);
    expect(touchesSearchFields({ accountNumber: null })).toBe(true);
    expect(touchesSearchFields({ deletedAccountNumber: 'x' })).toBe(true);
    expect(touchesSearchFields({})).toBe(false);
    expect(touchesSearchFields({ updatedAt: new Date() } as Partial<SearchableFields>)).toBe(false);
  });

  it('folds the term the same way, and refuses one that contains the separator', () => {
    expect(searchTerm('HARBOUR Vo')).toBe('harbour vo');
    expect(searchTerm(`ltd${SEARCH_SEPARATOR}acc`)).toBeNull();
  });

  it('matches on the columns exactly as a contains-test of the search text would', () => {
    const r = row({ description: 'Contract 4711, Oslo' });
    for (const term of ['HARBOUR', 'acc-7', 'oslo', '4711, O', 'example', 'po-1', 'voice ltd']) {
      expect([term, matchesSearch(r, term)]).toEqual([term, true]);
      expect([term, searchTextOf(r)!.includes(searchTerm(term)!)]).toEqual([term, true]);
    }
    for (const term of ['ltdacc', 'ltd acc', 'nothing', '%', `ltd${SEARCH_SEPARATOR}acc`]) {
      expect([term, matchesSearch(r, term)]).toEqual([term, false]);
    }
  });
});
