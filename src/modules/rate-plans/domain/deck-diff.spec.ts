import { Money } from '../../../shared/money';
import { diffDecks } from './deck-diff';
import { RateDefinition } from './rate';
import { makeRate } from './test-rates';

const de = makeRate({ prefix: '49', destination: 'Germany', perMinute: '1.20' });
const uk = makeRate({ prefix: '44', destination: 'UK', perMinute: '0.50' });
const fr = makeRate({ prefix: '33', destination: 'France', perMinute: '0.80' });

describe('diffDecks', () => {
  it('counts added, changed, removed and unchanged rates', async () => {
    const incoming = [{ ...de }, { ...uk, perMinute: Money.of('0.55') }, makeRate({ prefix: '39', destination: 'Italy' })];
    expect(await diffDecks([de, uk, fr], incoming)).toEqual({ added: 1, changed: 1, removed: 1, unchanged: 1 });
  });

  it('handles empty sides', async () => {
    expect(await diffDecks([], [de, uk])).toEqual({ added: 2, changed: 0, removed: 0, unchanged: 0 });
    expect(await diffDecks([de, uk], [])).toEqual({ added: 0, changed: 0, removed: 2, unchanged: 0 });
  });

  it.each<[string, Partial<RateDefinition>]>([
    ['destination', { destination: 'Deutschland' }],
    ['connectFee', { connectFee: Money.of('0.01') }],
    ['includedSeconds', { includedSeconds: 5 }],
    ['perMinute', { perMinute: Money.of('1.21') }],
    ['firstBlock', { firstBlock: 60 }],
    ['increment', { increment: 60 }],
    ['minimumCharge', { minimumCharge: Money.of('0.1') }],
    ['perMessage', { perMessage: Money.of('0.1') }],
    ['priority', { priority: 1 }],
    ['validUntil', { validUntil: new Date('2027-01-01T00:00:00Z') }],
  ])('sees a change of %s', async (_field, change) => {
    expect(await diffDecks([de], [{ ...de, ...change }])).toEqual({ added: 0, changed: 1, removed: 0, unchanged: 0 });
  });

  it.each<[string, Partial<RateDefinition>]>([
    ['direction', { direction: 'inbound' }],
    ['days', { days: '67' }],
    ['startTime', { startTime: '08:00' }],
    ['endTime', { endTime: '18:00' }],
    ['validFrom', { validFrom: new Date('2026-01-01T00:00:00Z') }],
    ['prefix', { prefix: '491' }],
  ])('treats a different %s as a different rate', async (_field, change) => {
    expect(await diffDecks([de], [{ ...de, ...change }])).toEqual({ added: 1, changed: 0, removed: 1, unchanged: 0 });
  });

  it('compares by meaning, not spelling', async () => {
    const a = { ...de, days: '15', startTime: '08:00', endTime: '24:00', perMinute: Money.of('1.2') };
    const b = { ...de, days: '51', startTime: '08:00', endTime: '00:00', perMinute: Money.of('1.200000') };
    expect(await diffDecks([a], [b])).toEqual({ added: 0, changed: 0, removed: 0, unchanged: 1 });
    expect(await diffDecks([{ ...de, days: null }], [{ ...de, days: '1234567' }])).toEqual({
      added: 0,
      changed: 0,
      removed: 0,
      unchanged: 1,
    });
  });

  it('accepts async iterables and counts a repeated incoming key once', async () => {
    async function* stream(rates: RateDefinition[]) {
      yield* rates;
    }
    expect(await diffDecks(stream([de]), stream([uk, uk, de]))).toEqual({ added: 1, changed: 0, removed: 0, unchanged: 1 });
  });

  it('gives the same counts when every key hashes alike (collisions are resolved exactly)', async () => {
    const keyHash = () => 3;
    const incoming = [
      { ...de },
      { ...uk, perMinute: Money.of('0.55') },
      makeRate({ prefix: '39', destination: 'Italy' }),
      { ...fr, direction: 'inbound' as const },
      { ...de, days: '67' },
      makeRate({ prefix: '39', destination: 'Italy' }),
    ];
    const existing = [de, uk, fr, makeRate({ prefix: '4', destination: 'G' }), makeRate({ prefix: '494', destination: 'H' })];
    const expected = { added: 3, changed: 1, removed: 3, unchanged: 1 };
    expect(await diffDecks(existing, incoming)).toEqual(expected);
    expect(await diffDecks(existing, incoming, { keyHash })).toEqual(expected);
  });

  it('compares the last of repeated existing keys and tells apart look-alike destinations', async () => {
    const old = { ...de, destination: 'Germany|1.20' };
    expect(await diffDecks([old, de], [{ ...de }])).toEqual({ added: 0, changed: 0, removed: 0, unchanged: 1 });
    expect(await diffDecks([de, old], [{ ...de }])).toEqual({ added: 0, changed: 1, removed: 0, unchanged: 0 });
    // "Germany|" + "1.2" vs "Germany" + "|1.2": the fingerprint must not merge them.
    const a = makeRate({ prefix: '49', destination: 'A|0', connectFee: '1' });
    const b = makeRate({ prefix: '49', destination: 'A', connectFee: '0' });
    expect(await diffDecks([a], [b], { keyHash: () => 0 })).toEqual({ added: 0, changed: 1, removed: 0, unchanged: 0 });
  });
});
