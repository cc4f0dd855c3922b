import { ByteHash, CHUNK_SIZE, CompactKeyTable, fnv1aHash } from './compact-key-table';

/** Every key collides. */
const constantHash: ByteHash = () => 7;
/** Collides whenever the lengths agree. */
const lengthHash: ByteHash = (_bytes, start, end) => end - start;
/** Differs only in the high bits, which the slot index (low bits) ignores: every key probes from slot 0. */
const highBitsHash: ByteHash = (bytes, start, end) => (fnv1aHash(bytes, start, end) & 0xffff0000) >>> 0;

const WEAK_HASHES: [string, ByteHash][] = [
  ['constant', constantHash],
  ['length', lengthHash],
  ['high bits only', highBitsHash],
];

/** Keys that are easy to confuse: prefixes of each other, one digit apart, the separators moved. */
function trickyKeys(): string[] {
  const keys = ['', '|', '||', '4', '49', '491', '4912', '49|o||0-1440|', '49|i||0-1440|', '49|o|1|0-1440|', '4|9o||0-1440|'];
  for (let i = 0; i < 300; i++) keys.push(`${1000 + i}|o||0-1440|`, `${1000 + i}|i||0-1440|`, `${1000 + i}|o|12345|480-1080|kx2`);
  return keys;
}

describe('CompactKeyTable', () => {
  it('adds, finds and reports an existing key with its value', () => {
    const t = new CompactKeyTable();
    expect(t.addIfAbsent('49|o||0-1440|', 2)).toBe(-1);
    expect(t.addIfAbsent('44|o||0-1440|', 3)).toBe(-1);
    expect(t.size).toBe(2);
    const again = t.addIfAbsent('49|o||0-1440|', 9);
    expect(again).toBe(0);
    expect(t.value(again)).toBe(2); // the first value is kept
    expect(t.find('44|o||0-1440|')).toBe(1);
    expect(t.find('4|o||0-1440|')).toBe(-1);
    expect(t.size).toBe(2);
  });

  it.each(WEAK_HASHES)('with a %s hash: no false duplicates and no missed duplicates', (_name, hash) => {
    const t = new CompactKeyTable({ hash });
    const keys = trickyKeys();
    keys.forEach((key, i) => expect(t.addIfAbsent(key, i + 2)).toBe(-1));
    expect(t.size).toBe(keys.length);
    keys.forEach((key, i) => {
      const entry = t.addIfAbsent(key, 1);
      expect(entry).toBe(i);
      expect(t.value(entry)).toBe(i + 2);
      expect(t.find(key)).toBe(i);
    });
    expect(t.find('49|o||0-1440|x')).toBe(-1);
    expect(t.find('9|o||0-1440|')).toBe(-1);
    expect(t.size).toBe(keys.length);
  });

  it.each(WEAK_HASHES)('with a %s hash, agrees with a Map on a random stream with repeats', (_name, hash) => {
    const t = new CompactKeyTable({ hash });
    const model = new Map<string, number>();
    let seed = 12345;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let line = 2; line < 4000; line++) {
      const key = `${Math.floor(random() * 1500)}|${random() < 0.5 ? 'o' : 'i'}||0-1440|`;
      const entry = t.addIfAbsent(key, line);
      const earlier = model.get(key);
      if (earlier === undefined) {
        expect(entry).toBe(-1);
        model.set(key, line);
      } else expect(t.value(entry)).toBe(earlier);
    }
    expect(t.size).toBe(model.size);
  });

  it('holds 300,000 keys exactly, across chunks and table growth, in a few dozen bytes per key', () => {
    const t = new CompactKeyTable();
    const n = 300_000;
    const key = (i: number) => `${(4_900_000_000 + i * 7).toString()}|${i % 2 ? 'i' : 'o'}||0-1440|`;
    let wrong = 0; // counted rather than expect()ed per key: 300,000 expect() calls take seconds
    for (let i = 0; i < n; i++) if (t.addIfAbsent(key(i), i + 2) !== -1) wrong++;
    for (let i = 0; i < n; i += 7) if (t.value(t.addIfAbsent(key(i), 1)) !== i + 2) wrong++;
    expect(wrong).toBe(0);
    expect(t.find(key(n))).toBe(-1);
    expect(t.size).toBe(n);
    // 23-byte keys: 25 bytes each in the arena, 12 in pages, 8-16 in slots.
    expect(t.bytesHeld / n).toBeLessThan(60);
  }, 30_000);

  it('keeps keys that do not fit the rest of a chunk whole', () => {
    const t = new CompactKeyTable({ hash: lengthHash });
    const long = (i: number) => `${i}:`.padEnd(70_000, String.fromCharCode(97 + (i % 26)));
    const count = Math.ceil((3 * CHUNK_SIZE) / 70_000);
    for (let i = 0; i < count; i++) expect(t.addIfAbsent(long(i), i)).toBe(-1);
    for (let i = 0; i < count; i++) expect(t.find(long(i))).toBe(i);
    expect(() => t.addIfAbsent('x'.repeat(CHUNK_SIZE), 0)).toThrow(RangeError);
    expect(t.size).toBe(count);
  });

  it('tells apart strings that UTF-8 with replacement characters would merge', () => {
    const t = new CompactKeyTable({ hash: constantHash });
    const keys = [
      '\ud800',
      '\udc00',
      '\ufffd',
      '\u00ff',
      '\u00ffa',
      'ÿ\u0000',
      'é',
      'e\u0301',
      '\u{1f600}',
      '\ud83d',
      'ā',
      '\u0100',
      '\u0101',
    ];
    const distinct = [...new Set(keys)];
    distinct.forEach((k, i) => expect(t.addIfAbsent(k, i)).toBe(-1));
    distinct.forEach((k, i) => expect(t.find(k)).toBe(i));
  });

  it('stores a payload per entry, compares it exactly and replaces it with put', () => {
    const t = new CompactKeyTable({ hash: constantHash });
    expect(t.put('49', 0, '7:Germany|0|0|1.2')).toBe(0);
    expect(t.put('44', 0, 'Ünïcødé \ud800')).toBe(1);
    expect(t.payloadEquals(0, '7:Germany|0|0|1.2')).toBe(true);
    expect(t.payloadEquals(0, '7:Germany|0|0|1.20')).toBe(false);
    expect(t.payloadEquals(0, '7:Germany|0|0|1.')).toBe(false);
    expect(t.payloadEquals(0, '')).toBe(false);
    expect(t.payloadEquals(1, 'Ünïcødé \ud800')).toBe(true);
    expect(t.payloadEquals(1, 'Ünïcødé \udc00')).toBe(false);
    // The payload is not part of the key.
    expect(t.find('49')).toBe(0);
    expect(t.addIfAbsent('49', 5, 'other')).toBe(0);
    expect(t.payloadEquals(0, '7:Germany|0|0|1.2')).toBe(true);
    // put replaces value and payload of an existing key.
    expect(t.put('49', 3, '7:Germany|0|0|9')).toBe(0);
    expect(t.value(0)).toBe(3);
    expect(t.payloadEquals(0, '7:Germany|0|0|9')).toBe(true);
    expect(t.payloadEquals(1, 'Ünïcødé \ud800')).toBe(true);
    expect(t.size).toBe(2);
  });

  it('refuses values that are not uint32 and entries that do not exist', () => {
    const t = new CompactKeyTable();
    expect(() => t.addIfAbsent('a', -1)).toThrow(RangeError);
    expect(() => t.addIfAbsent('a', 2 ** 32)).toThrow(RangeError);
    expect(() => t.put('a', 1.5)).toThrow(RangeError);
    expect(t.addIfAbsent('a', 2 ** 32 - 1)).toBe(-1);
    expect(t.value(0)).toBe(2 ** 32 - 1);
    expect(() => t.value(1)).toThrow(RangeError);
    expect(() => t.setValue(-1, 0)).toThrow(RangeError);
    expect(t.size).toBe(1);
  });
});
