import { Random } from './random';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

/**
 * Country calling codes (ITU zones 1-9), close enough to the real plan that prefix lengths and the
 * trie's shape look like a carrier's deck: 1- to 3-digit country codes, NANP and Russia on one digit.
 */
// prettier-ignore
export const COUNTRY_CODES: readonly string[] = [
  '1', '7',
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49',
  '51', '52', '53', '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66',
  '81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98',
  ...range(211, 218), ...range(220, 258), ...range(260, 269), '290', '291', '297', '298', '299',
  '350', '351', '352', '353', '354', '355', '356', '357', '358', '359', ...range(370, 389),
  '420', '421', '423', ...range(500, 509), ...range(590, 599), ...range(670, 692),
  '850', '852', '853', '855', '856', '880', '886', ...range(960, 968), ...range(970, 977), ...range(992, 998),
];

/** Destinations with big decks get more prefixes (NANP's NPA-NXX, mobile ranges of large countries). */
const HEAVY: Record<string, number> = {
  '1': 60,
  '7': 8,
  '44': 8,
  '49': 10,
  '33': 6,
  '39': 6,
  '34': 5,
  '86': 8,
  '91': 8,
  '55': 6,
  '52': 6,
  '61': 4,
  '81': 4,
};

export const MAX_DECK_PREFIX_LENGTH = 12;

/**
 * `count` distinct digit prefixes of length 1..12: every country code, then area/range codes under
 * weighted random countries, most of them 5..9 digits long as in real decks.
 */
export function generatePrefixes(count: number, seed = 20261125): string[] {
  const rnd = new Random(seed);
  const weighted: string[] = [];
  for (const cc of COUNTRY_CODES) for (let i = 0; i < (HEAVY[cc] ?? 1); i++) weighted.push(cc);
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (p: string) => {
    if (!seen.has(p)) {
      seen.add(p);
      out.push(p);
    }
  };
  for (const cc of COUNTRY_CODES) if (out.length < count) add(cc);
  // Lengths of the national part: mostly 3..6 digits (area code, or area code + exchange).
  const tailLengths = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6, 6, 7, 8, 9, 10, 11];
  while (out.length < count) {
    const cc = rnd.pick(weighted);
    const tail = Math.min(rnd.pick(tailLengths), MAX_DECK_PREFIX_LENGTH - cc.length);
    if (tail < 1) continue;
    // National numbers rarely start with 0 or 1 after the country code.
    add(cc + String(rnd.int(2, 9)) + rnd.digits(tail - 1));
  }
  return out;
}

/**
 * Called numbers: most extend a prefix of the deck to a full 11..12-digit number (calls go to places
 * the deck covers, often deep in it); `missShare` are random numbers that may match only a short prefix
 * or nothing.
 */
export function generateNumbers(prefixes: readonly string[], count: number, seed = 7, missShare = 0.1): string[] {
  const rnd = new Random(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const length = rnd.int(11, 12);
    if (rnd.next() < missShare) {
      out.push(String(rnd.int(1, 9)) + rnd.digits(length - 1));
    } else {
      const p = rnd.pick(prefixes);
      out.push(p.length >= length ? p : p + rnd.digits(length - p.length));
    }
  }
  return out;
}

/** A plausible destination name for a prefix (what decks carry; not looked up). */
export function destinationName(prefix: string): string {
  const kinds = ['Fixed', 'Mobile', 'Mobile Premium', 'Fixed Premium', 'Special Services'];
  return `Country ${prefix.slice(0, 3)} ${kinds[prefix.charCodeAt(prefix.length - 1) % kinds.length]} ${prefix.length}`;
}
