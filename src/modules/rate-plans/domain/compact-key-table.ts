/**
 * A hash table of short string keys, each with a 32-bit unsigned value and an optional payload string,
 * kept in typed arrays instead of JS strings and Map entries.
 *
 * Why: a rate-deck import checks every row's key against all earlier rows. A `Map<string, number>` of
 * a million keys costs ~500 bytes per row at the RSS peak (string and Map-entry objects in the old
 * generation, which grows and grows, so V8 postpones full collections and garbage piles up on top).
 * Here a key costs its bytes plus ~22-30 bytes of index, all outside the JS heap: one entry is
 * `varint(key bytes) varint(payload bytes) key payload` in 1 MiB byte chunks, plus its start offset,
 * hash and value in paged Uint32Arrays, plus one Int32Array slot (load factor at most 1/2).
 *
 * Exact: the keys themselves are stored (in an injective byte form of their UTF-16 code units), and a
 * hash match is always confirmed by comparing the bytes, so a hash collision costs time, never a wrong
 * answer. The hash function can be replaced (tests force collisions with a weak one).
 *
 * Entries are numbered 0..size-1 in the order they were added; nothing is ever removed.
 */

/** Hash of bytes [start, end) of `bytes`, as an unsigned 32-bit integer. */
export type ByteHash = (bytes: Uint8Array, start: number, end: number) => number;

/** FNV-1a with murmur3's finaliser (so that the low bits used for the slot index are well mixed). */
export const fnv1aHash: ByteHash = (bytes, start, end) => {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

const CHUNK_BITS = 20;
/** Bytes per arena chunk; one entry (key + payload) must fit in one chunk. */
export const CHUNK_SIZE = 1 << CHUNK_BITS;
const PAGE_BITS = 14;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
const MIN_SLOTS = 1 << 10;
/** The most bytes a varint of a length below CHUNK_SIZE takes. */
const MAX_VARINT = 3;

/** A growable array of uint32 in fixed pages: growing never copies (and never leaves garbage). */
class U32Pages {
  private readonly pages: Uint32Array[] = [];

  get(i: number): number {
    return this.pages[i >>> PAGE_BITS][i & PAGE_MASK];
  }

  set(i: number, value: number): void {
    const page = i >>> PAGE_BITS;
    while (this.pages.length <= page) this.pages.push(new Uint32Array(PAGE_SIZE));
    this.pages[page][i & PAGE_MASK] = value;
  }
}

/** Bytes of `s` in the table's encoding: a code unit below 0x80 is one byte, any other is 0xFF hi lo. */
function encodedLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) n += 2;
  return n;
}

/** Writes `s` at `pos` (see encodedLength: decodable, so equal bytes mean equal strings); returns the end. */
function encode(s: string, buf: Uint8Array, pos: number): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) buf[pos++] = c;
    else {
      buf[pos++] = 0xff;
      buf[pos++] = c >>> 8;
      buf[pos++] = c & 0xff;
    }
  }
  return pos;
}

function writeVarint(n: number, buf: Uint8Array, pos: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[pos++] = n;
  return pos;
}

export interface CompactKeyTableOptions {
  /** Replaces the hash function (tests use a weak one to force collisions). */
  hash?: ByteHash;
}

export class CompactKeyTable {
  private readonly hash: ByteHash;
  private readonly chunks: Uint8Array[] = [];
  /** Free position in the last chunk. */
  private chunkUsed = CHUNK_SIZE;
  private readonly starts = new U32Pages();
  private readonly hashes = new U32Pages();
  private readonly values = new U32Pages();
  /** entry + 1; 0 = empty. Linear probing. */
  private slots = new Int32Array(MIN_SLOTS);
  private count = 0;

  // The key (and payload) most recently written after the arena's end by stage(), not yet committed.
  private stagedHash = 0;
  private stagedStart = 0;
  private stagedKeyStart = 0;
  private stagedKeyEnd = 0;
  private stagedEnd = 0;
  /** The empty slot where the last unsuccessful probe stopped. */
  private freeSlot = 0;
  /** Position just after the last varint read. */
  private cursor = 0;

  constructor(opts: CompactKeyTableOptions = {}) {
    this.hash = opts.hash ?? fnv1aHash;
  }

  get size(): number {
    return this.count;
  }

  /** The entry holding `key`, or -1. */
  find(key: string): number {
    this.stage(key, '');
    return this.probe();
  }

  /**
   * Adds `key` with `value` (and `payload`) unless it is there already. Returns -1 when it was added,
   * otherwise the existing entry (left unchanged).
   */
  addIfAbsent(key: string, value: number, payload = ''): number {
    checkValue(value);
    this.stage(key, payload);
    const found = this.probe();
    if (found >= 0) return found;
    this.insertStaged(value);
    return -1;
  }

  /** Adds `key`, or gives its existing entry the new value and payload. Returns the entry. */
  put(key: string, value: number, payload = ''): number {
    checkValue(value);
    this.stage(key, payload);
    const found = this.probe();
    if (found < 0) return this.insertStaged(value);
    // The replaced bytes stay in the arena (unreachable): replacing is rare (a repeated key).
    this.chunkUsed = this.stagedEnd - this.lastChunkBase();
    this.starts.set(found, this.stagedStart);
    this.values.set(found, value);
    return found;
  }

  value(entry: number): number {
    this.checkEntry(entry);
    return this.values.get(entry);
  }

  setValue(entry: number, value: number): void {
    this.checkEntry(entry);
    checkValue(value);
    this.values.set(entry, value);
  }

  /** Whether `entry`'s payload equals `payload`, exactly. */
  payloadEquals(entry: number, payload: string): boolean {
    this.checkEntry(entry);
    const start = this.starts.get(entry);
    const chunk = this.chunks[start >>> CHUNK_BITS];
    const keyLength = this.readVarint(chunk, start & (CHUNK_SIZE - 1));
    const payloadLength = this.readVarint(chunk, this.cursor);
    let pos = this.cursor + keyLength;
    if (payloadLength !== encodedLength(payload)) return false;
    for (let i = 0; i < payload.length; i++) {
      const c = payload.charCodeAt(i);
      if (c < 0x80) {
        if (chunk[pos++] !== c) return false;
      } else if (chunk[pos++] !== 0xff || chunk[pos++] !== c >>> 8 || chunk[pos++] !== (c & 0xff)) return false;
    }
    return true;
  }

  /** Typed-array memory held, in bytes (for tests and diagnostics). */
  get bytesHeld(): number {
    const pages = (n: number) => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE * 4 * 3;
    return this.chunks.length * CHUNK_SIZE + pages(this.count) + this.slots.byteLength;
  }

  // ---- internals --------------------------------------------------------------------------------

  private lastChunkBase(): number {
    return (this.chunks.length - 1) * CHUNK_SIZE;
  }

  /** Writes key and payload after the arena's end (without committing them) and hashes the key. */
  private stage(key: string, payload: string): void {
    const keyLength = encodedLength(key);
    const payloadLength = encodedLength(payload);
    const size = 2 * MAX_VARINT + keyLength + payloadLength;
    if (size > CHUNK_SIZE) throw new RangeError(`key and payload too long for the table (${size} bytes encoded)`);
    if (this.chunkUsed + size > CHUNK_SIZE) {
      this.chunks.push(new Uint8Array(CHUNK_SIZE));
      this.chunkUsed = 0;
    }
    const chunk = this.chunks[this.chunks.length - 1];
    let pos = writeVarint(keyLength, chunk, this.chunkUsed);
    pos = writeVarint(payloadLength, chunk, pos);
    const keyStart = pos;
    pos = encode(key, chunk, pos);
    pos = encode(payload, chunk, pos);
    const base = this.lastChunkBase();
    this.stagedStart = base + this.chunkUsed;
    this.stagedKeyStart = keyStart;
    this.stagedKeyEnd = keyStart + keyLength;
    this.stagedEnd = base + pos;
    this.stagedHash = this.hash(chunk, keyStart, keyStart + keyLength) >>> 0;
  }

  /** The entry with the staged key, or -1 (then freeSlot is where it would go). */
  private probe(): number {
    const mask = this.slots.length - 1;
    const hash = this.stagedHash;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i];
      if (slot === 0) {
        this.freeSlot = i;
        return -1;
      }
      const entry = slot - 1;
      if (this.hashes.get(entry) === hash && this.keyEqualsStaged(entry)) return entry;
    }
  }

  private keyEqualsStaged(entry: number): boolean {
    const start = this.starts.get(entry);
    const chunk = this.chunks[start >>> CHUNK_BITS];
    const keyLength = this.readVarint(chunk, start & (CHUNK_SIZE - 1));
    if (keyLength !== this.stagedKeyEnd - this.stagedKeyStart) return false;
    this.readVarint(chunk, this.cursor);
    const pos = this.cursor;
    const staged = this.chunks[this.chunks.length - 1];
    for (let i = 0; i < keyLength; i++) if (chunk[pos + i] !== staged[this.stagedKeyStart + i]) return false;
    return true;
  }

  private insertStaged(value: number): number {
    const entry = this.count++;
    this.chunkUsed = this.stagedEnd - this.lastChunkBase();
    this.starts.set(entry, this.stagedStart);
    this.hashes.set(entry, this.stagedHash);
    this.values.set(entry, value);
    this.slots[this.freeSlot] = entry + 1;
    if (this.count * 2 > this.slots.length) this.grow();
    return entry;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let i = this.hashes.get(entry) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = entry + 1;
    }
    this.slots = slots;
  }

  /** Reads a varint at `pos`; `cursor` is left just after it. */
  private readVarint(buf: Uint8Array, pos: number): number {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = buf[pos++];
      n |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.cursor = pos;
        return n;
      }
      shift += 7;
    }
  }

  private checkEntry(entry: number): void {
    if (!Number.isInteger(entry) || entry < 0 || entry >= this.count) throw new RangeError(`no entry ${entry}`);
  }
}

function checkValue(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`value must be a uint32, got ${value}`);
}
