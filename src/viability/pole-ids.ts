import { ViabilityInputError, show } from './errors.js';

/**
 * Pole id ↔ slot for the PoleGraph, without a hash table: the graph is built from ids in sorted
 * order (what the database returns for ORDER BY id), so a lookup is a binary search over that
 * array and the built ids need nothing but it and two Int32Arrays. Poles added after the build
 * live in a small Map; removed ones are marked dead. Updates are rare, builds are not: a million
 * random hash inserts and lookups cost seconds of cache misses, a sorted array costs none.
 */
export class PoleIds {
  private readonly sorted: readonly string[];
  /** Sorted position → slot. */
  private readonly slotOfInput: Int32Array;
  /** Slot → sorted position, for built slots. */
  private readonly inputOfSlot: Int32Array;
  private readonly dead: Uint8Array;
  private readonly added = new Map<string, number>();
  private readonly addedIds: string[] = [];

  /** `sorted` must be strictly ascending (checked); slotOfInput[i] is the slot of sorted[i]. */
  constructor(sorted: readonly string[], slotOfInput: Int32Array) {
    for (let i = 0; i < sorted.length; i++) {
      const id = sorted[i];
      if (typeof id !== 'string' || id === '') {
        throw new ViabilityInputError(
          `pole ids[${i}]: must be a non-empty string, got ${show(id)}`,
        );
      }
      if (i > 0 && !(sorted[i - 1]! < id)) {
        throw new ViabilityInputError(
          sorted[i - 1] === id
            ? `pole id ${show(id)} appears more than once`
            : `pole ids must be sorted ascending: ${show(sorted[i - 1])} comes before ${show(id)}`,
        );
      }
    }
    this.sorted = sorted;
    this.slotOfInput = slotOfInput;
    this.inputOfSlot = new Int32Array(sorted.length);
    for (let i = 0; i < sorted.length; i++) this.inputOfSlot[slotOfInput[i]!] = i;
    this.dead = new Uint8Array(sorted.length);
  }

  /** Slots taken by the build; added poles come after. */
  get builtCount(): number {
    return this.sorted.length;
  }

  slotOf(id: unknown): number | undefined {
    if (typeof id !== 'string') return undefined;
    const added = this.added.get(id);
    if (added !== undefined) return added;
    const i = this.positionOf(id);
    if (i < 0) return undefined;
    const slot = this.slotOfInput[i]!;
    return this.dead[slot] ? undefined : slot;
  }

  idAt(slot: number): string {
    return slot < this.sorted.length
      ? this.sorted[this.inputOfSlot[slot]!]!
      : this.addedIds[slot - this.sorted.length]!;
  }

  /** Registers a pole added after the build at `slot` (the next free one). */
  add(id: string, slot: number): void {
    this.added.set(id, slot);
    this.addedIds[slot - this.sorted.length] = id;
  }

  remove(id: string): void {
    const slot = this.slotOf(id);
    if (slot === undefined) return;
    if (this.added.delete(id)) return;
    this.dead[slot] = 1;
  }

  /** Built slots in id order (dead ones included; the caller checks liveness). */
  slotAtSortedPosition(i: number): number {
    return this.slotOfInput[i]!;
  }

  /** Added poles as [id, slot], sorted by id. */
  addedSorted(): Array<[string, number]> {
    return [...this.added].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private positionOf(id: string): number {
    let lo = 0;
    let hi = this.sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.sorted[mid]!;
      if (at === id) return mid;
      if (at < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
