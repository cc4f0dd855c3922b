import { createHash, randomBytes } from 'node:crypto';
import { generateSerial, maskSerial, normalizeSerial, SERIAL_MAX_LENGTH, SERIAL_MIN_LENGTH, serialSpace } from './serials';

/** A byte source that plays back fixed bytes (then zeros... never: it throws when it runs dry). */
function fixed(bytes: number[]): (n: number) => Uint8Array {
  let i = 0;
  return (n) => {
    if (i >= bytes.length) throw new Error('ran out of bytes');
    const out = Uint8Array.from(bytes.slice(i, i + n));
    i += n;
    return out;
  };
}

/**
 * A reproducible byte stream (SHA-256 in counter mode): the uniformity test must not fail one run in a
 * hundred by chance, as it did with the system's random bytes.
 */
function seeded(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  let pool = Buffer.alloc(0);
  return (n) => {
    while (pool.length < n) pool = Buffer.concat([pool, createHash('sha256').update(`${seed}:${counter++}`).digest()]);
    const out = Uint8Array.from(pool.subarray(0, n));
    pool = pool.subarray(n);
    return out;
  };
}

describe('generateSerial', () => {
  it('makes digits of the asked length, never starting with 0', () => {
    for (const length of [SERIAL_MIN_LENGTH, 16, SERIAL_MAX_LENGTH]) {
      for (let i = 0; i < 200; i++) expect(generateSerial(length, randomBytes)).toMatch(new RegExp(`^[1-9]\\d{${length - 1}}$`));
    }
  });

  it('rejects the bytes that would bias a digit instead of folding them', () => {
    // First digit: 243..255 rejected, 0 → 1. Others: 250..255 rejected, 9 → 9, 249 → 9, 10 → 0.
    const serial = generateSerial(8, fixed([255, 243, 0, 250, 251, 9, 249, 10, 11, 12, 13, 14, 15, 0, 0, 0]));
    expect(serial).toBe('19901234');
  });

  it('maps the accepted bytes evenly: every digit from exactly 25 byte values (later positions)', () => {
    const perDigit = Array(10).fill(0) as number[];
    for (let b = 0; b < 256; b++) {
      // The first byte (0) gives the first digit; the second position reads byte b.
      try {
        const serial = generateSerial(8, fixed([0, b, 0, 0, 0, 0, 0, 0]));
        perDigit[Number(serial[1])]++;
      } catch {
        // b was rejected (250..255): the source ran dry asking for another byte.
      }
    }
    expect(perDigit).toEqual(Array(10).fill(25));
  });

  it('is uniform: every digit position takes every value about as often (chi-squared)', () => {
    const n = 20000;
    const bytes = seeded('serial-uniformity');
    const counts = Array.from({ length: 10 }, () => Array(10).fill(0) as number[]);
    for (let i = 0; i < n; i++) {
      const s = generateSerial(10, bytes);
      for (let p = 1; p < 10; p++) counts[p][Number(s[p])]++;
    }
    for (let p = 1; p < 10; p++) {
      const expected = n / 10;
      const chi2 = counts[p].reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
      // 9 degrees of freedom: 27.9 is the 0.1 % critical value.
      expect(chi2).toBeLessThan(27.9);
    }
  });

  it('refuses lengths outside the range', () => {
    for (const bad of [SERIAL_MIN_LENGTH - 1, SERIAL_MAX_LENGTH + 1, 10.5, NaN])
      expect(() => generateSerial(bad, randomBytes)).toThrow(RangeError);
  });

  it('knows the size of the space', () => {
    expect(serialSpace(8)).toBe(90_000_000n);
  });
});

describe('normalizeSerial and maskSerial', () => {
  it('drops spaces and dashes and checks what is left', () => {
    expect(normalizeSerial(' 1234-5678 9012 3456 ')).toBe('1234567890123456');
    expect(normalizeSerial('12345678')).toBe('12345678');
    for (const bad of ['1234567', '1'.repeat(33), '1234abcd5678', '', 12345678, null, undefined, '１２３４５６７８']) {
      expect(normalizeSerial(bad)).toBeNull();
    }
  });

  it('masks all but the last 4 digits', () => {
    expect(maskSerial('1234567890123456')).toBe('****3456');
  });
});
