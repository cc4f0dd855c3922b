import { type ByteHash, CompactKeyTable } from './compact-key-table';
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
 * and "1.50"). The destination is length-prefixed and no other field can contain "|", so the text is
 * unambiguous whatever the destination contains.
 */
function fingerprint(rate: RateDefinition): string {
  return [
    `${rate.destination.length}:${rate.destination}`,
    rate.connectFee.toString(),
    rate.includedSeconds,
    rate.perMinute.toString(),
    rate.firstBlock,
    rate.increment,
    rate.minimumCharge.toString(),
    rate.perMessage.toString(),
    rate.priority,
    rate.validUntil === null ? '' : rate.validUntil.getTime(),
  ].join('|');
}

/** Values of the key table's entries. */
const EXISTING = 0;
/** A key already accounted for by the incoming deck. */
const SEEN = 1;

export interface DiffDecksOptions {
  /** Replaces the hash of the key table (tests force collisions with a weak one). */
  keyHash?: ByteHash;
}

/**
 * What replacing `existing` with `incoming` would do, matching rates by rateKey (prefix, direction,
 * days, time band, valid-from; compared by meaning, so "24:00" and "00:00" ends are the same band).
 *
 * Both sides are streamed once. Memory is one key and one fingerprint per existing rate and one key per
 * added rate, kept exactly in a CompactKeyTable (typed arrays outside the JS heap, roughly 100 bytes
 * per existing rate) rather than as JS strings in a Map: for 1M existing against 1M incoming rates,
 * measured RSS +150 MB in 5.8 s, against +543 MB in 10.5 s with the Map. Incoming decks are validated
 * to have unique keys; should one repeat anyway it is counted once. Should the existing rates repeat a
 * key, the last one is compared.
 */
export async function diffDecks(existing: Rates, incoming: Rates, opts: DiffDecksOptions = {}): Promise<DeckDiff> {
  const byKey = new CompactKeyTable({ hash: opts.keyHash });
  for await (const rate of existing) byKey.put(rateKey(rate), EXISTING, fingerprint(rate));

  let added = 0;
  let changed = 0;
  let unchanged = 0;
  for await (const rate of incoming) {
    const entry = byKey.addIfAbsent(rateKey(rate), SEEN);
    if (entry < 0) added++;
    else if (byKey.value(entry) === SEEN) continue;
    else {
      if (byKey.payloadEquals(entry, fingerprint(rate))) unchanged++;
      else changed++;
      byKey.setValue(entry, SEEN);
    }
  }

  let removed = 0;
  for (let entry = 0; entry < byKey.size; entry++) if (byKey.value(entry) === EXISTING) removed++;
  return { added, changed, removed, unchanged };
}
