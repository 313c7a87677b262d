import KDBush from 'kdbush';
import { ViabilityInputError, show } from './errors.js';
import {
  EARTH_RADIUS_METERS,
  HALF_RAD,
  RAD,
  assertLatLng,
  boundingBoxes,
  haversineMeters,
  type DegreeBox,
} from './geodesy.js';
import { haversineCutoff } from './kd-walk.js';
import { PoleIds } from './pole-ids.js';
import { MinHeap, VisitTable } from './route-search.js';
import { isArray } from './validate.js';

/** A pole ("poste"). */
export interface PoleInput {
  id: string;
  lat: number;
  lng: number;
}

/** A cable span between two poles ("vão"), the edge a drop can follow. */
export interface SpanInput {
  from: string;
  to: string;
  /**
   * Metres. Omitted or null: the great-circle distance between the two poles, kept in step when
   * either pole moves.
   */
  length?: number | null;
}

/** A box hanging on a pole. */
export interface PoleBoxInput {
  /** The box id (as the ViabilityIndex knows it). */
  id: string;
  /** Longest drop this box may serve, in metres (its project's maximum drop size); omitted = the query's default. */
  maxDrop?: number | null;
}

/** The graph's input as columns (see PoleGraph.fromColumns). */
export interface PoleColumns {
  /** Pole ids, strictly ascending (code-unit order). */
  ids: readonly string[];
  lat: Float64Array;
  lng: Float64Array;
  /** Spans as numbers into `ids`. */
  spanFrom?: Int32Array;
  spanTo?: Int32Array;
  /** Metres; NaN: the great-circle distance between the poles (kept in step with them). */
  spanLength?: Float64Array;
  boxIds?: readonly string[];
  /** The number (into `ids`) of each box's pole. */
  boxPole?: Int32Array;
  /** Metres; NaN: the query's default. */
  boxMaxDrop?: Float64Array;
  /** The boxes' slots in the index named by the `linkedTo` option (see link()). */
  boxSlot?: Int32Array;
}

export interface PoleGraphOptions {
  /** kdbush leaf size. */
  nodeSize?: number;
  /** The index `boxSlot` refers to. */
  linkedTo?: BoxSlots;
}

export interface PoleGraphInput {
  poles: readonly PoleInput[];
  spans?: readonly SpanInput[];
  /** Boxes by pole id. */
  boxes?: readonly (PoleBoxInput & { pole: string })[];
}

/** A search over the pole graph from a point. */
export interface RouteSearch {
  lat: number;
  lng: number;
  /** Poles within this many metres (great circle) of the point start the route. */
  accessDistance: number;
  /** No route longer than this (metres) is followed. */
  maxLength: number;
}

/**
 * Receives the boxes a search reaches, nearest by route first: the box id, the route length in
 * centimetres (integer) and the box's pole slot (for routeTo()). Only boxes whose own limit
 * (maxDrop, else `defaultLimitCm`) covers the route are passed. Return false to stop the search.
 */
export type ReachedBox = (
  boxId: string,
  /** The box's slot in the linked index, or -1 (look it up by id). */
  boxSlot: number,
  routeCm: number,
  pole: number,
) => boolean;

/** What the graph links its boxes to: the ViabilityIndex's slots. */
export interface BoxSlots {
  slotFor(id: string): number;
}

/** Pole slot flags. */
const IN_TREE = 1; // the pole's current position is its kd-tree position
const LIVE = 2; // not removed
const OWN_SPANS = 4; // adjacency lives in `spansOverlay`, not in the CSR arrays
const OWN_BOXES = 8; // boxes live in `boxesOverlay`

// Edge weights are integer centimetres in the low 31 bits; the top bit marks a span whose
// length follows the poles' positions (no length given).
const AUTO = 0x80000000 | 0;
const CM_MASK = 0x7fffffff;
/** No span may be longer than this (metres): longer is surely a unit mistake. */
export const MAX_SPAN_METERS = 100_000;
/** No search may follow routes longer than this (metres). */
export const MAX_ROUTE_METERS = 1_000_000;

interface Adjacency {
  to: Int32Array;
  w: Int32Array;
}
interface BoxList {
  ids: string[];
  /** The boxes' slots in the linked index (-1: unknown, judged by id). */
  slots: Int32Array;
  /** Centimetres; -1 = the query's default. */
  limits: Int32Array;
}

const DEFAULT_NODE_SIZE = 64;

/**
 * The pole network for pole-mode viability (OZmap's "viabilidade por postes"): poles in a kd-tree
 * for "poles near the customer", spans as a compact CSR adjacency (offsets, targets, weights in
 * integer centimetres), and the boxes on each pole. A search is a multi-source Dijkstra from the
 * poles within the access distance (each starting at its straight-line distance, rounded to the
 * centimetre) bounded by the longest drop, over a binary heap and a sparse visit table that are
 * reused: no allocation per query. Integer centimetres make route lengths exact sums, so a
 * brute-force Dijkstra over the same data agrees to the centimetre.
 *
 * Changes are seen by the next search without a rebuild: a moved or added pole goes to a small
 * position overlay (its tree position tombstoned) and its auto-length spans are recomputed; a
 * pole whose spans or boxes changed gets its own adjacency or box list, used instead of the CSR
 * rows. rebuild() folds all of it into fresh arrays (the caller swaps the reference).
 */
export class PoleGraph {
  private readonly coords: Float64Array;
  private readonly treeSize: number;
  private readonly nodeSize: number;
  private readonly poleIds: PoleIds;
  private flags: Uint8Array;
  private slotCount: number;
  private live: number;
  private readonly offsets: Int32Array;
  private readonly targets: Int32Array;
  private readonly weights: Int32Array;
  private readonly boxStart: Int32Array;
  private readonly boxIds: string[];
  private readonly boxLimits: Int32Array;
  /** Per box entry: its slot in the linked index, or -1. */
  private boxSlots: Int32Array;
  private linkedTo: BoxSlots | undefined;
  private readonly spansOverlay = new Map<number, Adjacency>();
  private readonly boxesOverlay = new Map<number, BoxList>();
  /** Poles whose position is not their tree position: slot → [lat, lng]. */
  private readonly moved = new Map<number, [number, number]>();
  private maxBoxLimitCm: number;
  private spanTotal: number;
  private starts = 0;

  private readonly heap = new MinHeap();
  private readonly visits = new VisitTable();
  private readonly stack = new Uint32Array(96);

  /**
   * Builds the graph from objects (tests, small networks; the loader uses fromColumns()).
   * Validates every pole (unique non-empty id, finite in-range position), span (known poles,
   * length finite in 0..MAX_SPAN_METERS) and box (known pole, one pole per box, maxDrop finite
   * >= 0), throwing ViabilityInputError naming the bad one. A span from a pole to itself is
   * ignored; parallel spans are kept (the shorter one wins every search).
   */
  static build(input: PoleGraphInput, options: PoleGraphOptions = {}): PoleGraph {
    const poles = input.poles;
    if (!isArray(poles)) {
      throw new ViabilityInputError(`poles must be an array, got ${show(poles)}`);
    }
    poles.forEach((pole, i) => checkPole(pole, i));
    const order = poles.map((_, i) => i).sort((a, b) => compareIds(poles[a]!.id, poles[b]!.id));
    const ids = order.map((i) => poles[i]!.id);
    for (let i = 1; i < ids.length; i++) {
      if (ids[i] === ids[i - 1]) {
        throw new ViabilityInputError(`pole id ${show(ids[i])} appears more than once`);
      }
    }
    const number = new Map(ids.map((id, i) => [id, i]));
    const spans = input.spans ?? [];
    const spanFrom = new Int32Array(spans.length);
    const spanTo = new Int32Array(spans.length);
    const spanLength = new Float64Array(spans.length);
    spans.forEach((span, s) => {
      const a = number.get(span?.from);
      const b = number.get(span?.to);
      if (a === undefined || b === undefined) {
        const which = a === undefined ? span?.from : span?.to;
        throw new ViabilityInputError(`spans[${s}]: unknown pole ${show(which)}`);
      }
      checkLength(span.length, `spans[${s}]`);
      spanFrom[s] = a;
      spanTo[s] = b;
      spanLength[s] = span.length ?? NaN;
    });
    const boxes = input.boxes ?? [];
    const boxPole = new Int32Array(boxes.length);
    const boxMaxDrop = new Float64Array(boxes.length);
    const seen = new Set<string>();
    boxes.forEach((box, i) => {
      if (!box || typeof box.id !== 'string' || box.id === '') {
        throw new ViabilityInputError(`boxes[${i}]: id must be a non-empty string`);
      }
      const pole = number.get(box.pole);
      if (pole === undefined) {
        throw new ViabilityInputError(`box ${box.id}: unknown pole ${show(box.pole)}`);
      }
      if (seen.has(box.id)) throw new ViabilityInputError(`box ${box.id} is on more than one pole`);
      seen.add(box.id);
      boxPole[i] = pole;
      boxMaxDrop[i] = box.maxDrop ?? NaN;
    });
    return PoleGraph.fromColumns(
      {
        ids,
        lat: Float64Array.from(order, (i) => poles[i]!.lat),
        lng: Float64Array.from(order, (i) => poles[i]!.lng),
        spanFrom,
        spanTo,
        spanLength,
        boxIds: boxes.map((b) => b.id),
        boxPole,
        boxMaxDrop,
      },
      options,
    );
  }

  /**
   * Builds the graph from columns, what a loader reading millions of rows produces: pole ids
   * sorted ascending (code-unit order: ORDER BY id COLLATE "C"), spans and boxes by pole number.
   * No hash table is built or probed, which is most of what makes this fast. Validates as
   * build() does; box ids are not checked for duplicates (a database key guarantees it).
   */
  static fromColumns(cols: PoleColumns, options: PoleGraphOptions = {}): PoleGraph {
    const { ids, lat, lng } = cols;
    const n = ids.length;
    if (lat.length !== n || lng.length !== n) {
      throw new ViabilityInputError(`lat and lng must have one entry per pole id (${n})`);
    }
    const tree = new KDBush(n, options.nodeSize ?? DEFAULT_NODE_SIZE, Float64Array);
    for (let i = 0; i < n; i++) {
      const la = lat[i]!;
      const ln = lng[i]!;
      if (!(la >= -90 && la <= 90 && ln >= -180 && ln <= 180)) {
        assertLatLng(la, ln, `pole ${ids[i]}`);
      }
      tree.add(ln, la);
    }
    tree.finish();
    // Slot = kd position, as in ViabilityIndex: a tree hit needs no indirection.
    const order = tree.ids;
    const slotOfInput = new Int32Array(n);
    for (let p = 0; p < n; p++) slotOfInput[order[p]!] = p;
    const poleIds = new PoleIds(ids, slotOfInput);
    const coords = (tree.coords as Float64Array).slice(0, 2 * n);

    const spanFrom = cols.spanFrom ?? new Int32Array(0);
    const spanTo = cols.spanTo ?? new Int32Array(0);
    const spanLength = cols.spanLength ?? new Float64Array(spanFrom.length).fill(NaN);
    const m = spanFrom.length;
    if (spanTo.length !== m || spanLength.length !== m) {
      throw new ViabilityInputError(`spanFrom, spanTo and spanLength must have ${m} entries each`);
    }
    const degree = new Int32Array(n + 1);
    for (let s = 0; s < m; s++) {
      const a = spanFrom[s]!;
      const b = spanTo[s]!;
      if (!(a >= 0 && a < n && b >= 0 && b < n)) {
        throw new ViabilityInputError(`spans[${s}]: pole number out of range (${a}, ${b})`);
      }
      const length = spanLength[s]!;
      if (!Number.isNaN(length)) checkLength(length, `spans[${s}]`);
      if (a === b) continue;
      degree[slotOfInput[a]!]!++;
      degree[slotOfInput[b]!]!++;
    }
    const offsets = new Int32Array(n + 1);
    for (let p = 0; p < n; p++) offsets[p + 1] = offsets[p]! + degree[p]!;
    const targets = new Int32Array(offsets[n]!);
    const weights = new Int32Array(offsets[n]!);
    const fill = degree.subarray(0, n);
    fill.set(offsets.subarray(0, n));
    for (let s = 0; s < m; s++) {
      const a = slotOfInput[spanFrom[s]!]!;
      const b = slotOfInput[spanTo[s]!]!;
      if (a === b) continue;
      const w = encodeLength(spanLength[s]!, coords, a, b);
      targets[fill[a]!] = b;
      weights[fill[a]!++] = w;
      targets[fill[b]!] = a;
      weights[fill[b]!++] = w;
    }

    const boxIds = cols.boxIds ?? [];
    const boxPole = cols.boxPole ?? new Int32Array(0);
    const k = boxIds.length;
    if (boxPole.length !== k || (cols.boxMaxDrop && cols.boxMaxDrop.length !== k)) {
      throw new ViabilityInputError(`boxPole and boxMaxDrop must have one entry per box id (${k})`);
    }
    const boxCount = new Int32Array(n + 1);
    let maxLimit = 0;
    for (let i = 0; i < k; i++) {
      const id = boxIds[i];
      if (typeof id !== 'string' || id === '') {
        throw new ViabilityInputError(
          `boxes[${i}]: id must be a non-empty string, got ${show(id)}`,
        );
      }
      const pole = boxPole[i]!;
      if (!(pole >= 0 && pole < n)) {
        throw new ViabilityInputError(`box ${id}: pole number out of range (${pole})`);
      }
      boxCount[slotOfInput[pole]!]!++;
      const drop = cols.boxMaxDrop?.[i];
      if (drop !== undefined && !Number.isNaN(drop)) {
        maxLimit = Math.max(maxLimit, limitCm(drop, `box ${id}`));
      }
    }
    const boxStart = new Int32Array(n + 1);
    for (let p = 0; p < n; p++) boxStart[p + 1] = boxStart[p]! + boxCount[p]!;
    const boxSlotIds = new Array<string>(k);
    const boxLimits = new Int32Array(k);
    const linked = cols.boxSlot && options.linkedTo ? cols.boxSlot : undefined;
    const boxSlots = new Int32Array(k).fill(-1);
    const next = boxCount.subarray(0, n);
    next.set(boxStart.subarray(0, n));
    for (let i = 0; i < k; i++) {
      const at = next[slotOfInput[boxPole[i]!]!]!++;
      boxSlotIds[at] = boxIds[i]!;
      if (linked) boxSlots[at] = linked[i]!;
      const drop = cols.boxMaxDrop?.[i];
      boxLimits[at] = drop === undefined || Number.isNaN(drop) ? -1 : limitCm(drop, '');
    }

    const graph = new PoleGraph({
      coords,
      nodeSize: tree.nodeSize,
      poleIds,
      offsets,
      targets,
      weights,
      boxStart,
      boxIds: boxSlotIds,
      boxLimits,
      maxBoxLimitCm: maxLimit,
      spanTotal: targets.length / 2,
    });
    if (linked) {
      graph.boxSlots = boxSlots;
      graph.linkedTo = options.linkedTo;
    }
    return graph;
  }

  private constructor(parts: {
    coords: Float64Array;
    nodeSize: number;
    poleIds: PoleIds;
    offsets: Int32Array;
    targets: Int32Array;
    weights: Int32Array;
    boxStart: Int32Array;
    boxIds: string[];
    boxLimits: Int32Array;
    maxBoxLimitCm: number;
    spanTotal: number;
  }) {
    this.coords = parts.coords;
    this.treeSize = parts.coords.length / 2;
    this.nodeSize = parts.nodeSize;
    this.poleIds = parts.poleIds;
    this.flags = new Uint8Array(this.treeSize).fill(IN_TREE | LIVE);
    this.slotCount = this.treeSize;
    this.live = this.treeSize;
    this.offsets = parts.offsets;
    this.targets = parts.targets;
    this.weights = parts.weights;
    this.boxStart = parts.boxStart;
    this.boxIds = parts.boxIds;
    this.boxLimits = parts.boxLimits;
    this.boxSlots = new Int32Array(parts.boxIds.length).fill(-1);
    this.maxBoxLimitCm = parts.maxBoxLimitCm;
    this.spanTotal = parts.spanTotal;
  }

  /** Poles in the graph. */
  get size(): number {
    return this.live;
  }

  /** Spans in the graph (each counted once; parallel spans count apart). */
  get spanCount(): number {
    return this.spanTotal;
  }

  /** Changes held apart from the compact arrays; each costs searches a little. */
  get overlaySize(): number {
    return this.moved.size + this.spansOverlay.size + this.boxesOverlay.size;
  }

  has(poleId: string): boolean {
    return this.poleIds.slotOf(poleId) !== undefined;
  }

  /** A pole's current position, or undefined when it is not in the graph. */
  positionOf(poleId: string): { lat: number; lng: number } | undefined {
    const slot = this.poleIds.slotOf(poleId);
    if (slot === undefined) return undefined;
    return { lat: this.latOf(slot), lng: this.lngOf(slot) };
  }

  /** The poles a pole's spans lead to, with each span's length in metres (parallel ones apart). */
  spansOf(poleId: string): Array<{ to: string; length: number }> {
    const slot = this.poleIds.slotOf(poleId);
    if (slot === undefined) return [];
    const out: Array<{ to: string; length: number }> = [];
    this.forEachSpan(slot, (v, w) =>
      out.push({ to: this.poleIds.idAt(v), length: (w & CM_MASK) / 100 }),
    );
    return out;
  }

  /** The boxes on a pole. */
  boxesOn(poleId: string): string[] {
    const slot = this.poleIds.slotOf(poleId);
    if (slot === undefined) return [];
    return [...this.boxList(slot).ids];
  }

  /**
   * Adds a pole or moves one: seen by the next search. A moved pole's spans without a given
   * length follow it (both directions).
   */
  upsertPole(pole: PoleInput): void {
    checkPole(pole);
    const slot = this.poleIds.slotOf(pole.id);
    if (slot === undefined) {
      const added = this.slotCount++;
      if (added >= this.flags.length) {
        const grown = new Uint8Array(Math.max(16, this.flags.length * 2));
        grown.set(this.flags);
        this.flags = grown;
      }
      this.flags[added] = LIVE | OWN_SPANS | OWN_BOXES;
      this.poleIds.add(pole.id, added);
      this.spansOverlay.set(added, { to: new Int32Array(0), w: new Int32Array(0) });
      this.boxesOverlay.set(added, emptyBoxList());
      this.moved.set(added, [pole.lat, pole.lng]);
      this.live++;
      return;
    }
    if (pole.lat === this.latOf(slot) && pole.lng === this.lngOf(slot)) return;
    const backInTree =
      slot < this.treeSize &&
      this.coords[2 * slot + 1] === pole.lat &&
      this.coords[2 * slot] === pole.lng;
    if (backInTree) {
      this.flags[slot] = this.flags[slot]! | IN_TREE;
      this.moved.delete(slot);
    } else {
      this.flags[slot] = this.flags[slot]! & ~IN_TREE;
      this.moved.set(slot, [pole.lat, pole.lng]);
    }
    this.refreshAutoLengths(slot);
  }

  /** Removes a pole with its spans and boxes. Returns false when it was not in the graph. */
  removePole(poleId: string): boolean {
    const slot = this.poleIds.slotOf(poleId);
    if (slot === undefined) return false;
    const neighbours = new Set<number>();
    this.forEachSpan(slot, (v) => neighbours.add(v));
    for (const v of neighbours) {
      const kept = this.adjacencyOf(v).filter(([t]) => t !== slot);
      this.setAdjacency(v, kept);
    }
    this.poleIds.remove(poleId);
    // the neighbours' halves went above; this is the pole's own half
    this.spanTotal -= this.degree(slot) / 2;
    this.flags[slot] = 0;
    this.moved.delete(slot);
    this.spansOverlay.delete(slot);
    this.boxesOverlay.delete(slot);
    this.live--;
    return true;
  }

  /**
   * Replaces the spans of some poles: `spans` must be every span that now touches any of
   * `poleIds` (from the database). Their neighbours' sides are updated to match, so the graph
   * stays symmetric. Unknown poles in `poleIds` are skipped; a span naming an unknown pole throws.
   */
  replaceSpans(poleIds: Iterable<string>, spans: readonly SpanInput[]): void {
    const changed = new Set<number>();
    for (const id of poleIds) {
      const slot = this.poleIds.slotOf(id);
      if (slot !== undefined) changed.add(slot);
    }
    const fresh = new Map<number, Array<[number, number]>>();
    const list = (slot: number) => {
      let l = fresh.get(slot);
      if (!l) fresh.set(slot, (l = []));
      return l;
    };
    spans.forEach((span, s) => {
      const a = this.poleIds.slotOf(span?.from);
      const b = this.poleIds.slotOf(span?.to);
      if (a === undefined || b === undefined) {
        const which = a === undefined ? span?.from : span?.to;
        throw new ViabilityInputError(`spans[${s}]: unknown pole ${show(which)}`);
      }
      checkLength(span.length, `spans[${s}]`);
      if (!changed.has(a) && !changed.has(b)) {
        throw new ViabilityInputError(
          `spans[${s}]: touches none of the poles being replaced (${show(span.from)}-${show(span.to)})`,
        );
      }
      if (a === b) return;
      const w = this.encode(span.length, a, b);
      list(a).push([b, w]);
      list(b).push([a, w]);
    });
    // Neighbours outside the changed set: keep their other spans, take the new ones.
    const outside = new Set<number>();
    for (const slot of changed) this.forEachSpan(slot, (v) => !changed.has(v) && outside.add(v));
    for (const slot of fresh.keys()) if (!changed.has(slot)) outside.add(slot);
    for (const v of outside) {
      const kept = this.adjacencyOf(v).filter(([t]) => !changed.has(t));
      for (const [t, w] of fresh.get(v) ?? []) if (changed.has(t)) kept.push([t, w]);
      this.setAdjacency(v, kept);
    }
    for (const slot of changed) this.setAdjacency(slot, fresh.get(slot) ?? []);
  }

  /** Replaces the boxes on a pole. Returns false when the pole is not in the graph. */
  setBoxes(poleId: string, boxes: readonly PoleBoxInput[]): boolean {
    const slot = this.poleIds.slotOf(poleId);
    if (slot === undefined) return false;
    const limits = new Int32Array(boxes.length);
    boxes.forEach((b, i) => {
      if (!b || typeof b.id !== 'string' || b.id === '') {
        throw new ViabilityInputError(`boxes[${i}]: id must be a non-empty string`);
      }
      limits[i] = limitCm(b.maxDrop, `box ${b.id}`);
      this.maxBoxLimitCm = Math.max(this.maxBoxLimitCm, limits[i]);
    });
    const ids = boxes.map((b) => b.id);
    const slots = Int32Array.from(ids, (id) => this.linkedTo?.slotFor(id) ?? -1);
    this.boxesOverlay.set(slot, { ids, slots, limits });
    this.flags[slot] = this.flags[slot]! | OWN_BOXES;
    return true;
  }

  /**
   * Resolves every box to its slot in `index`, so searches hand slots over and the query judges
   * boxes without an id lookup each. Needed again after the index is rebuilt (its slots change):
   * isLinkedTo() tells. About one hash lookup per box.
   */
  link(index: BoxSlots): void {
    const { boxIds, boxSlots } = this;
    for (let i = 0; i < boxIds.length; i++) boxSlots[i] = index.slotFor(boxIds[i]!);
    for (const list of this.boxesOverlay.values()) {
      list.ids.forEach((id, i) => (list.slots[i] = index.slotFor(id)));
    }
    this.linkedTo = index;
  }

  isLinkedTo(index: BoxSlots): boolean {
    return this.linkedTo === index;
  }

  /** The largest maxDrop any box carries, in metres (0 when none does). */
  get largestBoxLimit(): number {
    return this.maxBoxLimitCm / 100;
  }

  /**
   * Multi-source bounded Dijkstra from the poles within `accessDistance` of the point. Passes
   * each box on a settled pole to `onBox`, nearest by route first, when the route (access
   * included) is within the box's own limit, else `defaultLimit` metres. Validates the search.
   * Routes of this search are available through routeTo() until the next search.
   */
  search(q: RouteSearch, defaultLimit: number, onBox: ReachedBox): void {
    assertLatLng(q.lat, q.lng);
    const access = checkDistance(q.accessDistance, 'accessDistance', MAX_ROUTE_METERS);
    const maxLength = checkDistance(q.maxLength, 'maxLength', MAX_ROUTE_METERS);
    const defaultCm = checkDistance(defaultLimit, 'maxDropLength', MAX_ROUTE_METERS) * 100;
    const boundCm = maxLength * 100;
    const { heap, visits } = this;
    heap.clear();
    visits.clear();
    this.starts = 0;
    this.seedStarts(q.lat, q.lng, access, boundCm);

    const { offsets, targets, weights, flags } = this;
    while (heap.size > 0) {
      const u = heap.pop();
      const d = heap.poppedDist;
      if (visits.dist[visits.find(u)] !== d) continue; // a shorter route reached u meanwhile
      const f = flags[u]!;
      if (f & OWN_BOXES) {
        const list = this.boxesOverlay.get(u)!;
        for (let i = 0; i < list.ids.length; i++) {
          const limit = list.limits[i]! < 0 ? defaultCm : list.limits[i]!;
          if (d <= limit && !onBox(list.ids[i]!, list.slots[i]!, d, u)) return;
        }
      } else if (u < this.treeSize) {
        const { boxIds, boxSlots, boxLimits } = this;
        for (let i = this.boxStart[u]!, end = this.boxStart[u + 1]!; i < end; i++) {
          const own = boxLimits[i]!;
          if (d <= (own < 0 ? defaultCm : own) && !onBox(boxIds[i]!, boxSlots[i]!, d, u)) return;
        }
      }
      if (f & OWN_SPANS) {
        const adj = this.spansOverlay.get(u)!;
        for (let i = 0; i < adj.to.length; i++)
          this.relax(adj.to[i]!, d + (adj.w[i]! & CM_MASK), u, boundCm);
      } else {
        for (let i = offsets[u]!, end = offsets[u + 1]!; i < end; i++) {
          this.relax(targets[i]!, d + (weights[i]! & CM_MASK), u, boundCm);
        }
      }
    }
  }

  /**
   * The route of the last search to a pole it settled: pole ids from the start pole to this
   * one, and their positions as [lng, lat]. Empty when the last search did not reach it.
   */
  routeTo(pole: number): { poles: string[]; coordinates: Array<[number, number]> } {
    const poles: string[] = [];
    const coordinates: Array<[number, number]> = [];
    let cell = this.visits.find(pole);
    let slot = pole;
    while (cell >= 0) {
      poles.push(this.poleIds.idAt(slot));
      coordinates.push([this.lngOf(slot), this.latOf(slot)]);
      slot = this.visits.pred[cell]!;
      if (slot < 0) break;
      cell = this.visits.find(slot);
    }
    poles.reverse();
    coordinates.reverse();
    return { poles, coordinates };
  }

  /** How many poles the last search started from (those within the access distance). */
  get lastStartCount(): number {
    return this.starts;
  }

  /** The id of a pole slot (as passed to a ReachedBox). */
  idAt(pole: number): string {
    return this.poleIds.idAt(pole);
  }

  /** A fresh graph with the same poles, spans and boxes, every overlay folded in. */
  rebuild(): PoleGraph {
    // Live poles in id order: the built ones (already sorted) merged with the added ones.
    const slots: number[] = [];
    const added = this.poleIds.addedSorted();
    let a = 0;
    for (let i = 0; i < this.poleIds.builtCount; i++) {
      const slot = this.poleIds.slotAtSortedPosition(i);
      if ((this.flags[slot]! & LIVE) === 0) continue;
      const id = this.poleIds.idAt(slot);
      while (a < added.length && added[a]![0] < id) slots.push(added[a++]![1]);
      slots.push(slot);
    }
    while (a < added.length) slots.push(added[a++]![1]);

    const n = slots.length;
    const numberOf = new Int32Array(this.slotCount).fill(-1);
    slots.forEach((slot, i) => (numberOf[slot] = i));
    const from: number[] = [];
    const to: number[] = [];
    const length: number[] = [];
    const boxIds: string[] = [];
    const boxSlots: number[] = [];
    const boxPole: number[] = [];
    const boxMaxDrop: number[] = [];
    for (let i = 0; i < n; i++) {
      const slot = slots[i]!;
      this.forEachSpan(slot, (v, w) => {
        // each span once, from its lower slot; parallel spans appear once each
        if (v <= slot) return;
        from.push(i);
        to.push(numberOf[v]!);
        length.push(w & AUTO ? NaN : (w & CM_MASK) / 100);
      });
      const list = this.boxList(slot);
      list.ids.forEach((box, k) => {
        boxIds.push(box);
        boxSlots.push(list.slots[k]!);
        boxPole.push(i);
        boxMaxDrop.push(list.limits[k]! < 0 ? NaN : list.limits[k]! / 100);
      });
    }
    const fresh = PoleGraph.fromColumns(
      {
        ids: slots.map((slot) => this.poleIds.idAt(slot)),
        lat: Float64Array.from(slots, (slot) => this.latOf(slot)),
        lng: Float64Array.from(slots, (slot) => this.lngOf(slot)),
        spanFrom: Int32Array.from(from),
        spanTo: Int32Array.from(to),
        spanLength: Float64Array.from(length),
        boxIds,
        boxPole: Int32Array.from(boxPole),
        boxMaxDrop: Float64Array.from(boxMaxDrop),
        // still linked to the same index: its slots carry over
        ...(this.linkedTo ? { boxSlot: Int32Array.from(boxSlots) } : {}),
      },
      { nodeSize: this.nodeSize, linkedTo: this.linkedTo },
    );
    return fresh;
  }

  private relax(v: number, nd: number, u: number, boundCm: number): void {
    if (nd > boundCm) return;
    const { cell, added } = this.visits.findOrAdd(v);
    if (!added && this.visits.dist[cell]! <= nd) return;
    this.visits.dist[cell] = nd;
    this.visits.pred[cell] = u;
    this.heap.push(nd, v);
  }

  // The start poles: within `access` metres of the point, each at its distance in whole cm.
  private seedStarts(lat: number, lng: number, access: number, boundCm: number): void {
    const cosQ = Math.cos(lat * RAD);
    const aMax = haversineCutoff(access);
    for (const box of boundingBoxes(lat, lng, access)) {
      this.walkTree(box, lat, lng, cosQ, aMax, access, boundCm);
    }
    for (const [slot, [pLat, pLng]] of this.moved) {
      const d = haversineMeters(lat, lng, pLat, pLng);
      if (d <= access) this.start(slot, Math.round(d * 100), boundCm);
    }
  }

  // Each pole within the access distance comes here once per search.
  private start(slot: number, cm: number, boundCm: number): void {
    this.starts++;
    if (cm > boundCm) return;
    const { cell, added } = this.visits.findOrAdd(slot);
    if (!added && this.visits.dist[cell]! <= cm) return;
    this.visits.dist[cell] = cm;
    this.visits.pred[cell] = -1;
    this.heap.push(cm, slot);
  }

  // kdbush's range() traversal over the pole coordinates, testing leaf points by haversine (the
  // same expression as haversineMeters, so access distances agree with it bit for bit).
  private walkTree(
    box: DegreeBox,
    lat: number,
    lng: number,
    cosQ: number,
    aMax: number,
    access: number,
    boundCm: number,
  ): void {
    const n = this.treeSize;
    if (n === 0) return;
    const { coords, flags, stack, nodeSize } = this;
    const [minX, minY, maxX, maxY] = box;
    const twoR = 2 * EARTH_RADIUS_METERS;
    const test = (i: number) => {
      const x = coords[2 * i]!;
      const y = coords[2 * i + 1]!;
      if (x < minX || x > maxX || y < minY || y > maxY || (flags[i]! & IN_TREE) === 0) return;
      const sinLat = Math.sin((y - lat) * HALF_RAD);
      const sinLng = Math.sin((x - lng) * HALF_RAD);
      const a = sinLat * sinLat + cosQ * Math.cos(y * RAD) * sinLng * sinLng;
      if (a > aMax) return;
      const d = twoR * Math.asin(Math.sqrt(a < 1 ? a : 1));
      if (d <= access) this.start(i, Math.round(d * 100), boundCm);
    };
    stack[0] = 0;
    stack[1] = n - 1;
    stack[2] = 0;
    let sp = 3;
    while (sp > 0) {
      const axis = stack[--sp]!;
      const right = stack[--sp]!;
      const left = stack[--sp]!;
      if (right - left <= nodeSize) {
        for (let i = left; i <= right; i++) test(i);
        continue;
      }
      const m = (left + right) >> 1;
      test(m);
      const x = coords[2 * m]!;
      const y = coords[2 * m + 1]!;
      if (axis === 0 ? minX <= x : minY <= y) {
        stack[sp++] = left;
        stack[sp++] = m - 1;
        stack[sp++] = 1 - axis;
      }
      if (axis === 0 ? maxX >= x : maxY >= y) {
        stack[sp++] = m + 1;
        stack[sp++] = right;
        stack[sp++] = 1 - axis;
      }
    }
  }

  private latOf(slot: number): number {
    return this.moved.get(slot)?.[0] ?? this.coords[2 * slot + 1]!;
  }

  private lngOf(slot: number): number {
    return this.moved.get(slot)?.[1] ?? this.coords[2 * slot]!;
  }

  private degree(slot: number): number {
    if (this.flags[slot]! & OWN_SPANS) return this.spansOverlay.get(slot)!.to.length;
    return slot < this.treeSize ? this.offsets[slot + 1]! - this.offsets[slot]! : 0;
  }

  private forEachSpan(slot: number, visit: (to: number, w: number) => unknown): void {
    if (this.flags[slot]! & OWN_SPANS) {
      const adj = this.spansOverlay.get(slot)!;
      for (let i = 0; i < adj.to.length; i++) visit(adj.to[i]!, adj.w[i]!);
      return;
    }
    if (slot >= this.treeSize) return;
    for (let i = this.offsets[slot]!, end = this.offsets[slot + 1]!; i < end; i++) {
      visit(this.targets[i]!, this.weights[i]!);
    }
  }

  private adjacencyOf(slot: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    this.forEachSpan(slot, (v, w) => out.push([v, w]));
    return out;
  }

  private setAdjacency(slot: number, edges: ReadonlyArray<readonly [number, number]>): void {
    this.spanTotal += (edges.length - this.degree(slot)) / 2;
    const to = new Int32Array(edges.length);
    const w = new Int32Array(edges.length);
    edges.forEach(([t, weight], i) => {
      to[i] = t;
      w[i] = weight;
    });
    this.spansOverlay.set(slot, { to, w });
    this.flags[slot] = this.flags[slot]! | OWN_SPANS;
  }

  private boxList(slot: number): BoxList {
    if (this.flags[slot]! & OWN_BOXES) return this.boxesOverlay.get(slot)!;
    if (slot >= this.treeSize) return emptyBoxList();
    const from = this.boxStart[slot]!;
    const to = this.boxStart[slot + 1]!;
    return {
      ids: this.boxIds.slice(from, to),
      slots: this.boxSlots.slice(from, to),
      limits: this.boxLimits.slice(from, to),
    };
  }

  // A moved pole's auto-length spans: recompute both directions.
  private refreshAutoLengths(slot: number): void {
    const mine = this.adjacencyOf(slot);
    if (!mine.some(([, w]) => w & AUTO)) return;
    const updated = mine.map(([v, w]): [number, number] => [
      v,
      w & AUTO ? this.encode(null, slot, v) : w,
    ]);
    this.setAdjacency(slot, updated);
    for (const v of new Set(mine.filter(([, w]) => w & AUTO).map(([v]) => v))) {
      const theirs = this.adjacencyOf(v).map(([t, w]): [number, number] => [
        t,
        t === slot && w & AUTO ? this.encode(null, v, slot) : w,
      ]);
      this.setAdjacency(v, theirs);
    }
  }

  private encode(length: number | null | undefined, a: number, b: number): number {
    if (length !== null && length !== undefined) return Math.round(length * 100);
    const cm = Math.round(
      haversineMeters(this.latOf(a), this.lngOf(a), this.latOf(b), this.lngOf(b)) * 100,
    );
    return Math.min(cm, MAX_SPAN_METERS * 100) | AUTO | 0;
  }
}

function checkPole(pole: PoleInput, at?: number): void {
  if (!pole || typeof pole.id !== 'string' || pole.id === '') {
    const where = at === undefined ? 'pole' : `poles[${at}]`;
    throw new ViabilityInputError(`${where}: id must be a non-empty string, got ${show(pole?.id)}`);
  }
  assertLatLng(pole.lat, pole.lng, `pole ${pole.id}`);
}

function checkLength(length: unknown, what: string): void {
  if (length === null || length === undefined) return;
  if (
    typeof length !== 'number' ||
    !Number.isFinite(length) ||
    length < 0 ||
    length > MAX_SPAN_METERS
  ) {
    throw new ViabilityInputError(
      `${what}: length must be a number of metres from 0 to ${MAX_SPAN_METERS}, got ${show(length)}`,
      'length',
    );
  }
}

function checkDistance(value: unknown, name: string, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new ViabilityInputError(
      `${name} must be a number of metres from 0 to ${max}, got ${show(value)}`,
      name,
    );
  }
  return value;
}

// A box's own limit in whole centimetres, -1 for "the query's default".
function limitCm(maxDrop: unknown, what: string): number {
  if (maxDrop === null || maxDrop === undefined) return -1;
  checkDistance(maxDrop, `${what ? `${what}: ` : ''}maxDrop`, MAX_ROUTE_METERS);
  return Math.floor((maxDrop as number) * 100);
}

// A span's weight at build time (before the graph object exists); NaN length = auto.
function encodeLength(length: number, coords: Float64Array, a: number, b: number): number {
  if (!Number.isNaN(length)) return Math.round(length * 100);
  const cm = Math.round(
    haversineMeters(coords[2 * a + 1]!, coords[2 * a]!, coords[2 * b + 1]!, coords[2 * b]!) * 100,
  );
  return Math.min(cm, MAX_SPAN_METERS * 100) | AUTO | 0;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function emptyBoxList(): BoxList {
  return { ids: [], slots: new Int32Array(0), limits: new Int32Array(0) };
}
