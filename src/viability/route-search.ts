// Scratch structures for the bounded shortest-path search over the pole graph. Both live as long
// as the graph and are reset, not reallocated, per query: a search touches a few hundred poles
// of a million, so a sparse table costs far less than a distance array per pole (and needs no
// clearing of a million entries between queries).

/**
 * Min-heap of (distance in centimetres, node), ordered by distance, then node, so the order in
 * which equal distances settle is deterministic. Typed arrays, grown by doubling when full.
 */
export class MinHeap {
  private dist = new Int32Array(256);
  private node = new Int32Array(256);
  size = 0;
  /** The distance of the node the last pop() returned. */
  poppedDist = 0;

  clear(): void {
    this.size = 0;
  }

  push(d: number, v: number): void {
    if (this.size === this.dist.length) this.grow();
    const dist = this.dist;
    const node = this.node;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pd = dist[parent]!;
      if (pd < d || (pd === d && node[parent]! <= v)) break;
      dist[i] = pd;
      node[i] = node[parent]!;
      i = parent;
    }
    dist[i] = d;
    node[i] = v;
  }

  /** Removes and returns the smallest node (its distance in poppedDist). Size must be > 0. */
  pop(): number {
    const dist = this.dist;
    const node = this.node;
    const top = node[0]!;
    this.poppedDist = dist[0]!;
    const n = --this.size;
    if (n === 0) return top;
    const d = dist[n]!;
    const v = node[n]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (
        right < n &&
        (dist[right]! < dist[child]! ||
          (dist[right] === dist[child] && node[right]! < node[child]!))
      ) {
        child = right;
      }
      const cd = dist[child]!;
      if (d < cd || (d === cd && v <= node[child]!)) break;
      dist[i] = cd;
      node[i] = node[child]!;
      i = child;
    }
    dist[i] = d;
    node[i] = v;
    return top;
  }

  private grow(): void {
    const size = this.dist.length * 2;
    const dist = new Int32Array(size);
    const node = new Int32Array(size);
    dist.set(this.dist);
    node.set(this.node);
    this.dist = dist;
    this.node = node;
  }
}

/**
 * The nodes a search has reached: node → (distance, predecessor), in an open-addressing table
 * keyed by node number. clear() resets only the cells the last search used.
 */
export class VisitTable {
  private keys: Int32Array;
  /** Distance in centimetres, per cell. */
  dist: Int32Array;
  /** Predecessor node, per cell; -1 for a start node. */
  pred: Int32Array;
  private used: Int32Array;
  private count = 0;
  private mask: number;

  constructor(capacity = 1024) {
    const size = Math.max(16, 2 ** Math.ceil(Math.log2(capacity)));
    this.keys = new Int32Array(size).fill(-1);
    this.dist = new Int32Array(size);
    this.pred = new Int32Array(size);
    this.used = new Int32Array(size >> 1);
    this.mask = size - 1;
  }

  /** Nodes reached since the last clear(). */
  get size(): number {
    return this.count;
  }

  clear(): void {
    const { keys, used } = this;
    for (let i = 0; i < this.count; i++) keys[used[i]!] = -1;
    this.count = 0;
  }

  /** The cell of `node`, or -1 when the search has not reached it. */
  find(node: number): number {
    const keys = this.keys;
    const mask = this.mask;
    for (let h = hash(node) & mask; ; h = (h + 1) & mask) {
      const k = keys[h]!;
      if (k === node) return h;
      if (k === -1) return -1;
    }
  }

  /** The cell of `node`, added (distance and predecessor unset) when new. */
  findOrAdd(node: number): { cell: number; added: boolean } {
    if (this.count + 1 > this.used.length) this.grow();
    const keys = this.keys;
    const mask = this.mask;
    for (let h = hash(node) & mask; ; h = (h + 1) & mask) {
      const k = keys[h]!;
      if (k === node) return this.result(h, false);
      if (k === -1) {
        keys[h] = node;
        this.used[this.count++] = h;
        return this.result(h, true);
      }
    }
  }

  // One reused answer object: findOrAdd() is on the hot path.
  private readonly answer = { cell: 0, added: false };
  private result(cell: number, added: boolean) {
    this.answer.cell = cell;
    this.answer.added = added;
    return this.answer;
  }

  private grow(): void {
    const { keys, dist, pred, used, count } = this;
    const size = keys.length * 2;
    this.keys = new Int32Array(size).fill(-1);
    this.dist = new Int32Array(size);
    this.pred = new Int32Array(size);
    this.used = new Int32Array(size >> 1);
    this.mask = size - 1;
    this.count = 0;
    for (let i = 0; i < count; i++) {
      const old = used[i]!;
      const { cell } = this.findOrAdd(keys[old]!);
      this.dist[cell] = dist[old]!;
      this.pred[cell] = pred[old]!;
    }
  }
}

// Node numbers are dense small integers: a multiplicative hash spreads neighbours apart.
function hash(node: number): number {
  return Math.imul(node, 0x9e3779b1) >>> 7;
}
