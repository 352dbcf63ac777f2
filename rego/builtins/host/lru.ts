/** Optional second bound of an LruCache: the sum of its values' weights (e.g. their size). */
export interface LruWeight<V> {
  max: number;
  of: (value: V) => number;
}

/**
 * A small least-recently-used cache (Map keeps insertion order; a hit re-inserts the key), bounded
 * by its number of entries and, when given a weight, by the total weight of its values. A value
 * heavier than the whole weight bound is not kept.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; weight: number }>();
  private totalWeight = 0;

  constructor(
    private readonly capacity: number,
    private readonly weight?: LruWeight<V>,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.remove(key);
    const weight = this.weight?.of(value) ?? 0;
    if (this.weight && weight > this.weight.max) return;
    this.entries.set(key, { value, weight });
    this.totalWeight += weight;
    while (
      this.entries.size > this.capacity ||
      (this.weight && this.totalWeight > this.weight.max)
    ) {
      this.remove(this.entries.keys().next().value as K);
    }
  }

  getOrCreate(key: K, create: (key: K) => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = create(key);
    this.set(key, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The total weight of the values held (0 without a weight bound). */
  get weightHeld(): number {
    return this.totalWeight;
  }

  private remove(key: K): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.totalWeight -= entry.weight;
  }
}
