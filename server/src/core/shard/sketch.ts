/**
 * The mergeable summaries a shard keeps, each with an associative, order-independent merge, so
 * the merge of any partition of the rows equals the summary of all rows computed at once:
 * - `TopK`: the k largest scores, ties broken by row ordinal (the smaller first);
 * - `BottomKSample`: the k rows with the smallest hash of (seed, ordinal): a uniform sample of k
 *   rows that does not depend on how rows were split into shards;
 * - counts (histograms, class tallies) are integers and add exactly.
 * Nothing here sums floating-point numbers across rows; the final averages are taken once, after
 * the merge, over rows in a fixed order.
 */

/** A ranked row: `ordinal` is the 0-based position in the file, `row` its address (line or index). */
export interface Ranked<T = unknown> {
  ordinal: number;
  row: number;
  score: number;
  data: T;
}

/** Orders by score descending, then ordinal ascending (a total order on distinct ordinals). */
export function byScoreThenOrdinal(a: Ranked, b: Ranked): number {
  return b.score - a.score || a.ordinal - b.ordinal;
}

/**
 * The k best items under `compare` (best first), kept in a buffer that is cut back to k whenever
 * it reaches 2k: amortised O(log k) per offer, memory O(k).
 */
export class TopK<T extends Ranked> {
  private items: T[] = [];

  constructor(
    readonly k: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  /** The worst item kept once the buffer is cut, or undefined while fewer than k are kept. */
  private threshold?: T;

  /** Offers an item; false when it is certainly not among the k best. */
  offer(item: T): boolean {
    if (this.k === 0) return false;
    if (this.threshold && this.compare(item, this.threshold) >= 0) return false;
    this.items.push(item);
    if (this.items.length >= 2 * this.k) this.cut();
    return true;
  }

  private cut(): void {
    this.items.sort(this.compare);
    this.items.length = Math.min(this.items.length, this.k);
    if (this.items.length === this.k) this.threshold = this.items[this.k - 1];
  }

  /** The kept items, best first (at most k). */
  result(): T[] {
    this.cut();
    return this.items.slice();
  }
}

/** Merges top-k lists: the best k of their union. */
export function mergeTopK<T extends Ranked>(lists: T[][], k: number, compare: (a: T, b: T) => number): T[] {
  return lists.flat().sort(compare).slice(0, k);
}

/**
 * A 32-bit hash of (seed, ordinal) (murmur3's finaliser over both): which rows a bottom-k sample
 * keeps. Deterministic, and independent of the shard a row falls in.
 */
export function rowHash(seed: number, ordinal: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ ordinal;
  h ^= Math.floor(ordinal / 4294967296);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Smallest hash first, then ordinal: the bottom-k order (as a top-k with negated scores). */
export function byHashThenOrdinal(a: Ranked, b: Ranked): number {
  return a.score - b.score || a.ordinal - b.ordinal;
}

/** A uniform sample of k rows: those with the smallest `rowHash`. */
export class BottomKSample<T> {
  private readonly top: TopK<Ranked<T>>;

  constructor(
    readonly k: number,
    readonly seed: number,
  ) {
    this.top = new TopK<Ranked<T>>(k, byHashThenOrdinal);
  }

  /** Offers a row; `data` is built only when the row may be kept (it can be a copy of the row's inputs). */
  offer(ordinal: number, row: number, data: () => T): void {
    const item: Ranked<T> = { ordinal, row, score: rowHash(this.seed, ordinal), data: undefined as T };
    // Filled only once accepted, so a refused row costs no copy.
    if (this.top.offer(item)) item.data = data();
  }

  result(): Ranked<T>[] {
    return this.top.result();
  }
}
