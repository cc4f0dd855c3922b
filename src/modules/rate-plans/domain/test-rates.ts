import { Money } from '../../../shared/money';
import { RateDefinition } from './rate';

/** Test helper: a plain outbound all-day rate with the given overrides (money fields as strings). */
export function makeRate(
  overrides: Partial<Omit<RateDefinition, 'connectFee' | 'perMinute' | 'minimumCharge' | 'perMessage'>> & {
    connectFee?: string | Money;
    perMinute?: string | Money;
    minimumCharge?: string | Money;
    perMessage?: string | Money;
  } = {},
): RateDefinition {
  const money = (v: string | Money | undefined, d: string) => (v === undefined ? Money.of(d) : typeof v === 'string' ? Money.of(v) : v);
  return {
    prefix: '49',
    destination: 'Germany',
    direction: 'outbound',
    includedSeconds: 0,
    firstBlock: 1,
    increment: 1,
    days: null,
    startTime: null,
    endTime: null,
    priority: 0,
    validFrom: null,
    validUntil: null,
    ...overrides,
    connectFee: money(overrides.connectFee, '0'),
    perMinute: money(overrides.perMinute, '0'),
    minimumCharge: money(overrides.minimumCharge, '0'),
    perMessage: money(overrides.perMessage, '0'),
  };
}
