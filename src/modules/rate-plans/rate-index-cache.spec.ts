import { Money } from '../../shared/money';
import { CompactDeck } from './rate-index-cache';

const raw = (o: Record<string, unknown>) => ({
  id: 1,
  deck_id: 7,
  plan_id: 3,
  prefix: '49',
  destination: 'Germany',
  direction: 'outbound',
  connect_fee: '0',
  included_seconds: 0,
  per_minute: '0',
  first_block: 1,
  increment: 1,
  minimum_charge: '0',
  per_message: '0',
  days: null,
  start_time: null,
  end_time: null,
  priority: 0,
  valid_from: null,
  valid_until: null,
  ...o,
});

describe('CompactDeck', () => {
  it('gives back every field exactly as stored (both drivers’ raw shapes)', () => {
    const deck = new CompactDeck(7, 1);
    deck.add(
      raw({
        id: '9007199254740991',
        prefix: '4930',
        destination: 'Berlin, "Mitte" ü',
        direction: 'inbound',
        connect_fee: '12345',
        included_seconds: '30',
        per_minute: 9007199254740991,
        first_block: 30,
        increment: 6,
        minimum_charge: '500000',
        per_message: '-1',
        days: '15',
        start_time: '22:00',
        end_time: '06:00',
        priority: -2,
        valid_from: '2026-01-01 00:00:00.000',
        valid_until: new Date('2026-07-01T12:34:56.789Z'),
      }),
    );
    deck.add(raw({ id: 2, prefix: '49', end_time: '24:00', start_time: '00:00' }));
    deck.seal();
    const [berlin] = deck.candidates('4930123', 'inbound')[0];
    expect(berlin).toEqual({
      id: 9007199254740991,
      deckId: 7,
      prefix: '4930',
      destination: 'Berlin, "Mitte" ü',
      direction: 'inbound',
      connectFee: Money.of('0.012345'),
      includedSeconds: 30,
      perMinute: Money.of('9007199254.740991'),
      firstBlock: 30,
      increment: 6,
      minimumCharge: Money.of('0.5'),
      perMessage: Money.of('-0.000001'),
      days: '15',
      startTime: '22:00',
      endTime: '06:00',
      priority: -2,
      validFrom: new Date('2026-01-01T00:00:00Z'),
      validUntil: new Date('2026-07-01T12:34:56.789Z'),
    });
    const [germany] = deck.candidates('4930123', 'outbound')[0];
    expect(germany).toMatchObject({ prefix: '49', startTime: '00:00', endTime: '24:00', days: null, validFrom: null, validUntil: null });
  });

  it('groups candidates by prefix, longest first, filtered by direction; grows past its first capacity', () => {
    const deck = new CompactDeck(1, 1);
    let id = 1;
    for (const [prefix, direction] of [
      ['4', 'outbound'],
      ['49', 'outbound'],
      ['49', 'outbound'],
      ['493', 'inbound'],
      ['4930', 'outbound'],
    ])
      deck.add(raw({ id: id++, prefix, direction, days: prefix === '49' && id === 3 ? '67' : null }));
    deck.seal();
    expect(deck.size).toBe(5);
    expect(deck.candidates('4930555', 'outbound').map((g) => g.map((r) => r.id))).toEqual([[5], [2, 3], [1]]);
    expect(deck.candidates('4930555', 'inbound').map((g) => g.map((r) => r.id))).toEqual([[4]]);
    expect(deck.candidates('33', 'outbound')).toEqual([]);
    expect(deck.candidates('+49', 'outbound')).toEqual([]);
  });
});
