/** Longest prefix the index accepts; E.164 numbers have at most 15 digits, so 20 leaves room. */
export const MAX_PREFIX_LENGTH = 20;

const DIGITS = /^\d+$/;
const INITIAL_NODES = 1024;

/**
 * In-memory longest-prefix index over digit strings.
 *
 * A digit trie stored in typed arrays: node n's child for digit d is `children[n * 10 + d]` (0 = none;
 * node 0 is the root, which nothing points to), and `listOf[n]` is a 1-based slot into `lists`, the
 * items of the prefix ending at n. Measured against a Map keyed by prefix string (checked for each
 * prefix length, longest first) on 1M prefixes: the Map did ~0.2M lookups/s (one substring + hash per
 * length), this trie ~1.5M lookups/s, with ~40 bytes per trie node outside the JS heap. Object-per-node
 * tries were slower and 2-3x bigger.
 *
 * The index takes DIGITS ONLY: callers strip '+', spaces and dialling prefixes before lookup. A number
 * with any other character matches nothing (so a malformed number gets "no rate", never a wrong one).
 */
export class PrefixIndex<T> {
  private children = new Int32Array(INITIAL_NODES * 10);
  private listOf = new Int32Array(INITIAL_NODES);
  private nodeCount = 1;
  private readonly lists: T[][] = [[]]; // slot 0 unused so that 0 can mean "no items"
  private itemCount = 0;

  /** Number of items added (several items may share a prefix). */
  get size(): number {
    return this.itemCount;
  }

  /** Number of distinct prefixes holding at least one item. */
  get prefixCount(): number {
    return this.lists.length - 1;
  }

  add(prefix: string, item: T): void {
    if (prefix.length < 1 || prefix.length > MAX_PREFIX_LENGTH || !DIGITS.test(prefix)) {
      // An empty prefix would match every number; a deck must name its destinations.
      throw new RangeError(`prefix must be 1..${MAX_PREFIX_LENGTH} digits, got ${JSON.stringify(prefix)}`);
    }
    let node = 0;
    for (let i = 0; i < prefix.length; i++) {
      const k = node * 10 + (prefix.charCodeAt(i) - 48);
      let next = this.children[k];
      if (next === 0) {
        if (this.nodeCount === this.listOf.length) this.grow();
        next = this.nodeCount++;
        this.children[k] = next;
      }
      node = next;
    }
    let slot = this.listOf[node];
    if (slot === 0) {
      slot = this.lists.length;
      this.lists.push([]);
      this.listOf[node] = slot;
    }
    this.lists[slot].push(item);
    this.itemCount++;
  }

  /**
   * The item lists of every prefix of `number` that has items, longest prefix first, so that a caller
   * can fall back to shorter prefixes. [] when nothing matches. The lists are the index's own arrays:
   * read them, do not modify them.
   */
  matches(number: string): ReadonlyArray<readonly T[]> {
    const found: T[][] = [];
    const { children, listOf, lists } = this;
    let node = 0;
    for (let i = 0; i < number.length; i++) {
      const digit = number.charCodeAt(i) - 48;
      // Every character is checked, even past the last trie node: see the class comment.
      if (digit < 0 || digit > 9) return [];
      if (node === -1) continue;
      const next = i < MAX_PREFIX_LENGTH ? children[node * 10 + digit] : 0;
      if (next === 0) {
        node = -1;
        continue;
      }
      node = next;
      const slot = listOf[node];
      if (slot !== 0) found.push(lists[slot]);
    }
    return found.reverse();
  }

  /** Items of the longest matching prefix only ([] when none). */
  longest(number: string): readonly T[] {
    const all = this.matches(number);
    return all.length > 0 ? all[0] : [];
  }

  /** Releases the growth slack after a bulk load (adding more afterwards still works). */
  compact(): void {
    this.resize(this.nodeCount);
  }

  private grow(): void {
    this.resize(Math.ceil(this.listOf.length * 1.5));
  }

  private resize(capacity: number): void {
    const children = new Int32Array(capacity * 10);
    children.set(this.children.subarray(0, Math.min(this.children.length, capacity * 10)));
    const listOf = new Int32Array(capacity);
    listOf.set(this.listOf.subarray(0, Math.min(this.listOf.length, capacity)));
    this.children = children;
    this.listOf = listOf;
  }
}

/** Indexes rates (or anything with a digit prefix) by their prefix. */
export function buildPrefixIndex<R extends { prefix: string }>(rates: Iterable<R>): PrefixIndex<R> {
  const index = new PrefixIndex<R>();
  for (const rate of rates) index.add(rate.prefix, rate);
  index.compact();
  return index;
}
