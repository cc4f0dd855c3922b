import { RateDefinition, rateKey } from './rate';

export interface DeckDiff {
  /** Keys only in the new deck. */
  added: number;
  /** Keys in both whose other fields differ. */
  changed: number;
  /** Keys only in the existing rates. */
  removed: number;
  /** Keys in both with identical fields (not asked for by the API, but it makes the counts add up). */
  unchanged: number;
}

type Rates = Iterable<RateDefinition> | AsyncIterable<RateDefinition>;

/**
 * Everything that is not part of the key, in a canonical text form (Money.toString normalises "1.5"
 * and "1.50"). JSON keeps fields unambiguous whatever the destination contains.
 */
function fingerprint(rate: RateDefinition): string {
  return JSON.stringify([
    rate.destination,
    rate.connectFee.toString(),
    rate.includedSeconds,
    rate.perMinute.toString(),
    rate.firstBlock,
    rate.increment,
    rate.minimumCharge.toString(),
    rate.perMessage.toString(),
    rate.priority,
    rate.validUntil === null ? null : rate.validUntil.getTime(),
  ]);
}

/**
 * What replacing `existing` with `incoming` would do, matching rates by rateKey (prefix, direction,
 * days, time band, valid-from; compared by meaning, so "24:00" and "00:00" ends are the same band).
 *
 * Both sides are streamed once; memory is one key and one fingerprint per existing rate. Incoming
 * decks are validated to have unique keys; should one repeat anyway it is counted once. Should the
 * existing rates repeat a key, the last one is compared.
 */
export async function diffDecks(existing: Rates, incoming: Rates): Promise<DeckDiff> {
  // null marks a key already accounted for by the incoming deck.
  const byKey = new Map<string, string | null>();
  for await (const rate of existing) byKey.set(rateKey(rate), fingerprint(rate));

  let added = 0;
  let changed = 0;
  let unchanged = 0;
  for await (const rate of incoming) {
    const key = rateKey(rate);
    const before = byKey.get(key);
    if (before === null) continue;
    if (before === undefined) added++;
    else if (before === fingerprint(rate)) unchanged++;
    else changed++;
    byKey.set(key, null);
  }

  let removed = 0;
  for (const value of byKey.values()) if (value !== null) removed++;
  return { added, changed, removed, unchanged };
}
