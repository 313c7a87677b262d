/**
 * Box id → slot, as an open-addressing hash table over two Int32Arrays (slot, hash). A
 * `Map<string, number>` with a million keys costs about 30 MB and seconds of rehashing; this one
 * is sized once (load factor at most 1/2, 16 MB for a million boxes) and keeps no copy of the
 * keys: it compares against the index's own slot → id array, and only when the stored hashes
 * match (ObjectIds share long prefixes, so string comparisons are not cheap).
 */
export class IdTable {
  // Cell values: EMPTY, DELETED, or slot + 1.
  private cells: Int32Array;
  private hashes: Int32Array;
  private mask: number;
  private used = 0;
  private deleted = 0;

  constructor(
    private ids: readonly string[],
    expected: number,
  ) {
    this.cells = new Int32Array(capacityFor(expected));
    this.hashes = new Int32Array(this.cells.length);
    this.mask = this.cells.length - 1;
  }

  get size(): number {
    return this.used;
  }

  get(id: string): number | undefined {
    if (typeof id !== 'string') return undefined;
    const { cells, hashes, mask, ids } = this;
    const full = hash(id);
    for (let h = full & mask; ; h = (h + 1) & mask) {
      const cell = cells[h]!;
      if (cell === EMPTY) return undefined;
      if (cell !== DELETED && hashes[h] === full && ids[cell - 1] === id) return cell - 1;
    }
  }

  /** Adds an id whose slot already holds it in `ids`. Returns false if the id was present. */
  add(id: string, slot: number): boolean {
    if ((this.used + this.deleted + 1) * 2 > this.cells.length) this.resize();
    const { cells, hashes, mask, ids } = this;
    const full = hash(id);
    let free = -1;
    for (let h = full & mask; ; h = (h + 1) & mask) {
      const cell = cells[h]!;
      if (cell === EMPTY) {
        if (free < 0) free = h;
        break;
      }
      if (cell === DELETED) {
        if (free < 0) free = h;
      } else if (hashes[h] === full && ids[cell - 1] === id) return false;
    }
    if (cells[free] === DELETED) this.deleted--;
    cells[free] = slot + 1;
    hashes[free] = full;
    this.used++;
    return true;
  }

  delete(id: string): boolean {
    if (typeof id !== 'string') return false;
    const { cells, hashes, mask, ids } = this;
    const full = hash(id);
    for (let h = full & mask; ; h = (h + 1) & mask) {
      const cell = cells[h]!;
      if (cell === EMPTY) return false;
      if (cell !== DELETED && hashes[h] === full && ids[cell - 1] === id) {
        cells[h] = DELETED;
        this.used--;
        this.deleted++;
        return true;
      }
    }
  }

  /**
   * Moves every entry to a new numbering: slot s becomes `renumbered[s]`, and `ids` is the id
   * array in the new numbering. Filling the table in input order and renumbering once afterwards
   * reads the id strings sequentially, which is much kinder to the cache than kd order.
   */
  renumber(renumbered: Int32Array, ids: readonly string[]): void {
    const cells = this.cells;
    for (let h = 0; h < cells.length; h++) {
      const cell = cells[h]!;
      if (cell > 0) cells[h] = renumbered[cell - 1]! + 1;
    }
    this.ids = ids;
  }

  private resize(): void {
    const old = this.cells;
    this.cells = new Int32Array(capacityFor(2 * (this.used + 1)));
    this.hashes = new Int32Array(this.cells.length);
    this.mask = this.cells.length - 1;
    this.used = 0;
    this.deleted = 0;
    for (const cell of old) if (cell > 0) this.add(this.ids[cell - 1]!, cell - 1);
  }
}

const EMPTY = 0;
const DELETED = -1;

// Smallest power of two keeping the load factor at or under 1/2.
function capacityFor(count: number): number {
  let capacity = 16;
  while (capacity < count * 2) capacity *= 2;
  return capacity;
}

// FNV-1a over UTF-16 code units, as a signed 32-bit integer.
function hash(id: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h;
}
