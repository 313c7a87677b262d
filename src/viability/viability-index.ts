import KDBush from 'kdbush';
import {
  checkAvailability,
  offeredFromPacked,
  packExtraPorts,
  type Availability,
  type PortPolicy,
} from './availability.js';
import { ViabilityInputError, show } from './errors.js';
import {
  RAD,
  assertLatLng,
  assertRadius,
  boundingBoxes,
  haversineMeters,
  roundDistance,
} from './geodesy.js';
import {
  DRAFT,
  HAS_DROP,
  IN_TREE,
  collectFromTree,
  haversineCutoff,
  type Candidates,
  type PreparedPoint,
} from './kd-walk.js';
import { IdTable } from './id-table.js';
import { checkBox, checkLimit, checkTags, isArray } from './validate.js';
import { orderCandidates } from './order.js';
import {
  compileRegion,
  regionContains,
  regionsForQuery,
  type CompiledRegion,
  type RegionInput,
} from './regions.js';

/** A box as the index takes it. Availability defaults to "no drop splitter, no free port". */
export interface BoxInput extends Partial<Availability> {
  id: string;
  lat: number;
  lng: number;
  /** "Em projeto": designed, not built; never viable. */
  draft?: boolean;
  /**
   * An integer the caller attaches to the box (e.g. its row in the caller's own tables), handed
   * back with every search hit so the caller needs no id lookup. Default -1.
   */
  ref?: number;
}

/**
 * Many boxes at once, as parallel columns (what a database loader produces): no object per box.
 * All columns have `ids.length` entries.
 */
export interface BoxColumns {
  ids: readonly string[];
  lat: Float64Array;
  lng: Float64Array;
  /** 1 = draft. */
  draft: Uint8Array;
  /** 1 = has a drop splitter. */
  hasDropSplitter: Uint8Array;
  freePorts: Int32Array;
  refs?: Int32Array;
  /** Blocked and vacant-held port counts per box (packExtraPorts); default none. */
  extras?: Int32Array;
}

export interface ViabilityQuery {
  lat: number;
  lng: number;
  /** Metres, >= 0. Cap it first with clampRadius(). */
  radius: number;
  /** Plan region tags: when non-empty, a box must lie in a region carrying one of them. */
  tags?: readonly string[];
  /** At most this many viable boxes (the nearest). Default: all. */
  maxBoxes?: number;
  /** At most this many refused boxes (the nearest). Default: all. */
  maxRefused?: number;
  /** Which ports besides the free ones count (blocked, vacant-held). Default: free ones only. */
  ports?: PortPolicy;
}

/** Why a box in the radius is not viable; the first rule that fails, in this order. */
export type RefusalReason = 'draft' | 'no_drop_splitter' | 'no_free_port' | 'outside_region';

export interface ViableBox {
  id: string;
  /** Metres from the query point, rounded to 0.01. */
  distance: number;
  /** The ports the query may offer (free ones, plus those its PortPolicy counts). */
  freePorts: number;
}

/** What judge() writes about one box. */
export interface BoxVerdict {
  lat: number;
  lng: number;
  /** As ViableBox.freePorts. */
  freePorts: number;
  /** The first rule the box fails, or undefined when it is viable. */
  reason: RefusalReason | undefined;
}

export interface RefusedBox {
  id: string;
  distance: number;
  reason: RefusalReason;
}

/** Both lists sorted by distance, then by id. */
export interface ViabilityResult {
  boxes: ViableBox[];
  refused: RefusedBox[];
}

export const REFUSAL_REASONS: readonly RefusalReason[] = [
  'draft',
  'no_drop_splitter',
  'no_free_port',
  'outside_region',
];

/**
 * What `search()` writes: the hits as slots (see `idAt`, `refAt`, `freePortsAt`) with their
 * distances, nearest first, plus how many boxes each list had before the limits. Reused from one
 * search to the next, so a query allocates nothing per box.
 */
export class SearchHits {
  /** Viable hits written: slots[0..viable). */
  viable = 0;
  /** Refused hits written: refusedSlots[0..refused). */
  refused = 0;
  /** Viable boxes in the radius, including those past maxBoxes. */
  viableTotal = 0;
  /** Refused boxes in the radius, including those past maxRefused. */
  refusedTotal = 0;
  slots = new Int32Array(64);
  distances = new Float64Array(64);
  refusedSlots = new Int32Array(64);
  refusedDistances = new Float64Array(64);
  /** Index into REFUSAL_REASONS. */
  refusedReasons = new Uint8Array(64);

  /** Makes room for `n` hits in each list. */
  reserve(n: number): void {
    if (n <= this.slots.length) return;
    let size = this.slots.length;
    while (size < n) size *= 2;
    this.slots = new Int32Array(size);
    this.distances = new Float64Array(size);
    this.refusedSlots = new Int32Array(size);
    this.refusedDistances = new Float64Array(size);
    this.refusedReasons = new Uint8Array(size);
  }
}

export interface BuildOptions {
  regions?: readonly RegionInput[];
  /** kdbush leaf size; clamped to 2..65535 by kdbush. */
  nodeSize?: number;
}

/** A box whose current position is not in the tree: added or moved since the last build. */
interface OverlayEntry {
  slot: number;
  lat: number;
  lng: number;
  cosLat: number;
}

/** Per-box data in the order the boxes were added to the tree (before kd sorting). */
interface Columns {
  ids: string[];
  /** DRAFT | HAS_DROP (never IN_TREE). */
  flags: Uint8Array;
  freePorts: Int32Array;
  refs: Int32Array;
  /** Blocked and vacant-held port counts (packExtraPorts). */
  extras: Int32Array;
}

const DEFAULT_NODE_SIZE = 64;
const INITIAL_CANDIDATES = 1024;

/**
 * Fibre viability over boxes: "which boxes are within R metres of this point, which of them can
 * take a customer, and why the others cannot". Pure and synchronous: no I/O, no clock.
 *
 * Layout. Box positions live in a static kdbush tree, and each box gets a slot numbered in kd
 * order, so the tree position found by a search is the slot. Per slot, typed arrays hold the
 * flags (in tree, draft, has a drop splitter) and the free-port count. Availability is therefore
 * apart from geometry: a reservation is one array write, seen by the very next query.
 *
 * Geometry changes go to a small overlay scanned linearly by every query: a moved box has its tree
 * position tombstoned and its new position in the overlay; an added box lives only in the overlay;
 * a removed box is tombstoned. `rebuild()` folds the overlay into a fresh index that the caller
 * swaps in (one reference assignment), keeping queries fast when the overlay grows.
 *
 * How the service uses it:
 * ```ts
 * let index = ViabilityIndex.build(rows.map((b) => ({
 *   id: b.id, lat: b.lat, lng: b.lng, draft: b.draft,
 *   ...dropAvailability(splittersOf(b)),      // { hasDropSplitter, freePorts }
 * })), { regions });
 * index.setAvailability(boxId, dropAvailability(splittersOf(box)));  // port reserved or freed
 * index.adjustFreePorts(boxId, -1);                                   // or, as a delta
 * index.upsertBox({ id, lat, lng, draft });  // box created, moved, or draft toggled
 * index.removeBox(id);                        // box deleted
 * index.setRegions(regions);                  // regions or their tags changed
 * if (index.overlaySize > 256) index = index.rebuild();  // e.g. from setImmediate
 * const { boxes, refused } = index.query({ lat, lng, radius, tags, maxBoxes });
 * ```
 */
export class ViabilityIndex {
  private readonly coords: Float64Array;
  private readonly nodeSize: number;
  private readonly cosLat: Float64Array;
  private readonly slotOfId: IdTable;
  private readonly ids: string[];
  private flags: Uint8Array;
  private freePorts: Int32Array;
  private refs: Int32Array;
  private extras: Int32Array;
  private slotCount: number;
  private live: number;
  private overlay: OverlayEntry[] = [];
  private readonly overlayPos = new Map<number, number>();
  private regions: CompiledRegion[];

  private readonly stack = new Uint32Array(96);
  private readonly scratchHits = new SearchHits();
  private candidates: Candidates = {
    slots: new Int32Array(INITIAL_CANDIDATES),
    dist: new Float64Array(INITIAL_CANDIDATES),
  };
  private keys = new Float64Array(INITIAL_CANDIDATES);
  private order = new Int32Array(INITIAL_CANDIDATES);

  /**
   * Builds the index. Validates every box (finite, in-range lat/lng; unique non-empty ids;
   * integer freePorts >= 0) and every region, throwing ViabilityInputError naming the bad one.
   * Takes about a second and under 100 MB for a million boxes (see docs/benchmarks.md).
   */
  static build(boxes: readonly BoxInput[], options: BuildOptions = {}): ViabilityIndex {
    if (!isArray(boxes)) {
      throw new ViabilityInputError(`boxes must be an array, got ${show(boxes)}`);
    }
    const n = boxes.length;
    const tree = new KDBush(n, options.nodeSize ?? DEFAULT_NODE_SIZE, Float64Array);
    const columns = emptyColumns(n);
    for (let i = 0; i < n; i++) {
      const box = boxes[i]!;
      columns.flags[i] = checkBox(box, i);
      columns.ids.push(box.id);
      columns.freePorts[i] = box.freePorts ?? 0;
      columns.refs[i] = box.ref ?? -1;
      columns.extras[i] = packExtraPorts(box);
      tree.add(box.lng, box.lat);
    }
    const regions = (options.regions ?? []).map(compileRegion);
    return new ViabilityIndex(tree.finish(), columns, regions);
  }

  /**
   * Builds the index from columns (what a loader reading a million rows produces), validating
   * every box as build() does, without an object per box.
   */
  static fromColumns(boxes: BoxColumns, options: BuildOptions = {}): ViabilityIndex {
    const n = boxes.ids.length;
    const { lat, lng, draft, hasDropSplitter, freePorts, refs } = boxes;
    for (const [name, column] of Object.entries({ lat, lng, draft, hasDropSplitter, freePorts })) {
      if (column.length !== n) {
        throw new ViabilityInputError(`${name} has ${column.length} entries for ${n} ids`);
      }
    }
    if (refs && refs.length !== n) {
      throw new ViabilityInputError(`refs has ${refs.length} entries for ${n} ids`);
    }
    if (boxes.extras && boxes.extras.length !== n) {
      throw new ViabilityInputError(`extras has ${boxes.extras.length} entries for ${n} ids`);
    }
    const tree = new KDBush(n, options.nodeSize ?? DEFAULT_NODE_SIZE, Float64Array);
    const columns: Columns = {
      ids: boxes.ids as string[],
      flags: new Uint8Array(n),
      freePorts,
      refs: refs ?? new Int32Array(n).fill(-1),
      extras: boxes.extras ?? new Int32Array(n),
    };
    const probe: BoxInput = { id: '', lat: 0, lng: 0 };
    for (let i = 0; i < n; i++) {
      probe.id = boxes.ids[i]!;
      probe.lat = lat[i]!;
      probe.lng = lng[i]!;
      probe.draft = draft[i] === 1;
      probe.hasDropSplitter = hasDropSplitter[i] === 1;
      probe.freePorts = freePorts[i]!;
      columns.flags[i] = checkBox(probe, i);
      tree.add(probe.lng, probe.lat);
    }
    return new ViabilityIndex(tree.finish(), columns, (options.regions ?? []).map(compileRegion));
  }

  private constructor(tree: KDBush, columns: Columns, regions: CompiledRegion[]) {
    const n = tree.numItems;
    this.coords = tree.coords as Float64Array;
    this.nodeSize = tree.nodeSize;

    // Ids first, in input order (sequential reads), which also finds duplicates.
    const slotOf = new IdTable(columns.ids, n);
    for (let i = 0; i < n; i++) {
      if (!slotOf.add(columns.ids[i]!, i)) {
        throw new ViabilityInputError(`box id ${show(columns.ids[i])} appears more than once`);
      }
    }

    // Renumber: slot = kd position, so a search hit needs no id lookup. Scatter in input order
    // (random writes are cheap) rather than gather in kd order (random reads stall).
    const order = tree.ids;
    const slotOfInput = new Int32Array(n);
    for (let p = 0; p < n; p++) slotOfInput[order[p]!] = p;
    this.ids = columns.ids.slice();
    this.flags = new Uint8Array(n);
    this.freePorts = new Int32Array(n);
    this.refs = new Int32Array(n);
    this.extras = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p = slotOfInput[i]!;
      this.ids[p] = columns.ids[i]!;
      this.flags[p] = columns.flags[i]! | IN_TREE;
      this.freePorts[p] = columns.freePorts[i]!;
      this.refs[p] = columns.refs[i]!;
      this.extras[p] = columns.extras[i]!;
    }
    this.cosLat = new Float64Array(n);
    for (let p = 0; p < n; p++) this.cosLat[p] = Math.cos(this.coords[2 * p + 1]! * RAD);
    slotOf.renumber(slotOfInput, this.ids);
    this.slotOfId = slotOf;
    this.slotCount = n;
    this.live = n;
    this.regions = regions;
  }

  /** Boxes in the index. */
  get size(): number {
    return this.live;
  }

  /** Boxes added or moved since the build; each costs every query a distance computation. */
  get overlaySize(): number {
    return this.overlay.length;
  }

  has(id: string): boolean {
    return this.slotOfId.get(id) !== undefined;
  }

  /** The availability the index holds for a box, or undefined when it is not indexed. */
  availabilityOf(id: string): (Availability & { draft: boolean }) | undefined {
    const slot = this.slotOfId.get(id);
    if (slot === undefined) return undefined;
    const f = this.flags[slot]!;
    const extras = this.extras[slot]!;
    return {
      hasDropSplitter: (f & HAS_DROP) !== 0,
      freePorts: this.freePorts[slot]!,
      blockedPorts: extras & 1023,
      vacantPorts: (extras >> 10) & 1023,
      blockedVacantPorts: (extras >> 20) & 1023,
      draft: (f & DRAFT) !== 0,
    };
  }

  /**
   * Sets a box's availability; O(1), seen by the next query. Returns false when the box is not
   * indexed (nothing changes).
   */
  setAvailability(id: string, availability: Availability): boolean {
    const checked = checkAvailability(availability, `box ${id}`);
    const slot = this.slotOfId.get(id);
    if (slot === undefined) return false;
    this.freePorts[slot] = checked.freePorts;
    this.extras[slot] = packExtraPorts(checked);
    this.flags[slot] = checked.hasDropSplitter
      ? this.flags[slot]! | HAS_DROP
      : this.flags[slot]! & ~HAS_DROP;
    return true;
  }

  /**
   * Adds `delta` to a box's free ports (-1 when a port is reserved, +1 when freed); O(1). Returns
   * the new count, or undefined when the box is not indexed. Throws if it would go negative,
   * which means the caller's bookkeeping drifted: reload the box with setAvailability().
   */
  adjustFreePorts(id: string, delta: number): number | undefined {
    if (!Number.isInteger(delta)) {
      throw new ViabilityInputError(`delta must be an integer, got ${show(delta)}`);
    }
    const slot = this.slotOfId.get(id);
    if (slot === undefined) return undefined;
    const next = this.freePorts[slot]! + delta;
    if (next < 0) {
      throw new ViabilityInputError(
        `box ${id}: free ports would become ${next} (had ${this.freePorts[slot]}, delta ${delta})`,
      );
    }
    this.freePorts[slot] = next;
    return next;
  }

  /** Marks a box draft or not; O(1). Returns false when the box is not indexed. */
  setDraft(id: string, draft: boolean): boolean {
    const slot = this.slotOfId.get(id);
    if (slot === undefined) return false;
    this.flags[slot] = draft ? this.flags[slot]! | DRAFT : this.flags[slot]! & ~DRAFT;
    return true;
  }

  /**
   * Adds a box or updates its position, draft flag or availability; seen by the next query, no
   * rebuild. For an existing box, optional fields left out keep their current values.
   */
  upsertBox(box: BoxInput): void {
    checkBox(box);
    const slot = this.slotOfId.get(box.id);
    if (slot === undefined) {
      this.addBox(box);
      return;
    }
    const current = this.availabilityOf(box.id)!;
    const merged: BoxInput = {
      id: box.id,
      lat: box.lat,
      lng: box.lng,
      draft: box.draft ?? current.draft,
      hasDropSplitter: box.hasDropSplitter ?? current.hasDropSplitter,
      freePorts: box.freePorts ?? current.freePorts,
      blockedPorts: box.blockedPorts ?? current.blockedPorts,
      vacantPorts: box.vacantPorts ?? current.vacantPorts,
      blockedVacantPorts: box.blockedVacantPorts ?? current.blockedVacantPorts,
    };
    this.flags[slot] = (this.flags[slot]! & IN_TREE) | checkBox(merged);
    this.freePorts[slot] = merged.freePorts!;
    this.extras[slot] = packExtraPorts(merged);
    if (box.ref !== undefined) this.refs[slot] = box.ref;
    this.moveBox(slot, box.lat, box.lng);
  }

  /** Removes a box; seen by the next query. Returns false when it was not indexed. */
  removeBox(id: string): boolean {
    const slot = this.slotOfId.get(id);
    if (slot === undefined) return false;
    this.slotOfId.delete(id);
    this.dropFromOverlay(slot);
    this.flags[slot] = 0;
    this.freePorts[slot] = 0;
    this.extras[slot] = 0;
    this.live--;
    return true;
  }

  /** Replaces the plan regions. Validates them all first; on error nothing changes. */
  setRegions(regions: readonly RegionInput[]): void {
    this.regions = regions.map(compileRegion);
  }

  /** Adds or replaces one region. */
  upsertRegion(region: RegionInput): void {
    const compiled = compileRegion(region);
    this.regions = [...this.regions.filter((r) => r.id !== compiled.id), compiled];
  }

  /** Removes one region. Returns false when it was not there. */
  removeRegion(id: string): boolean {
    const before = this.regions.length;
    this.regions = this.regions.filter((r) => r.id !== id);
    return this.regions.length !== before;
  }

  /**
   * A fresh index with the same boxes, availability and regions, the overlay folded into the
   * tree. This index is left untouched, so the caller can keep serving queries from it and swap
   * (`index = index.rebuild()`) when done. Synchronous: nothing can change in between.
   */
  rebuild(): ViabilityIndex {
    const n = this.live;
    const tree = new KDBush(n, this.nodeSize, Float64Array);
    const columns = emptyColumns(n);
    const copy = (slot: number, lat: number, lng: number) => {
      columns.flags[columns.ids.length] = this.flags[slot]! & ~IN_TREE;
      columns.freePorts[columns.ids.length] = this.freePorts[slot]!;
      columns.refs[columns.ids.length] = this.refs[slot]!;
      columns.extras[columns.ids.length] = this.extras[slot]!;
      columns.ids.push(this.ids[slot]!);
      tree.add(lng, lat);
    };
    for (let slot = 0; slot < this.cosLat.length; slot++) {
      if (this.flags[slot]! & IN_TREE)
        copy(slot, this.coords[2 * slot + 1]!, this.coords[2 * slot]!);
    }
    for (const e of this.overlay) copy(e.slot, e.lat, e.lng);
    return new ViabilityIndex(tree.finish(), columns, this.regions);
  }

  /**
   * Boxes within `radius` metres (great-circle) of the point: the viable ones with their free
   * ports, and the others with the first rule they fail. Validates the query (ViabilityInputError).
   */
  query(query: ViabilityQuery): ViabilityResult {
    const hits = this.search(query, this.scratchHits);
    const boxes: ViableBox[] = [];
    const refused: RefusedBox[] = [];
    for (let k = 0; k < hits.viable; k++) {
      const slot = hits.slots[k]!;
      boxes.push({
        id: this.ids[slot]!,
        distance: hits.distances[k]!,
        freePorts: this.offered(slot, query.ports),
      });
    }
    for (let k = 0; k < hits.refused; k++) {
      refused.push({
        id: this.ids[hits.refusedSlots[k]!]!,
        distance: hits.refusedDistances[k]!,
        reason: REFUSAL_REASONS[hits.refusedReasons[k]!]!,
      });
    }
    return { boxes, refused };
  }

  /**
   * The same search as query(), written into `hits` as slots (nearest first, distances rounded
   * like query()'s) with the totals before the limits; nothing is allocated per box. Read a hit
   * with idAt(), refAt() and freePortsAt() before the index changes.
   */
  search(query: ViabilityQuery, hits: SearchHits): SearchHits {
    if (typeof query !== 'object' || query === null) {
      throw new ViabilityInputError(`query must be an object, got ${show(query)}`);
    }
    const { lat, lng, radius } = query;
    assertLatLng(lat, lng);
    assertRadius(radius);
    const maxBoxes = checkLimit(query.maxBoxes, 'maxBoxes');
    const maxRefused = checkLimit(query.maxRefused, 'maxRefused');
    const tags = checkTags(query.tags);
    const policy = query.ports;

    const point: PreparedPoint = {
      lat,
      lng,
      cosLat: Math.cos(lat * RAD),
      radius,
      aMax: haversineCutoff(radius),
    };
    const rectangles = boundingBoxes(lat, lng, radius);
    let count = this.collect(rectangles, point);
    while (count < 0) {
      this.growCandidates();
      count = this.collect(rectangles, point);
    }

    const { slots, dist } = this.candidates;
    orderCandidates(count, dist, slots, this.ids, this.keys, this.order);
    const regions = tags.length ? regionsForQuery(this.regions, tags, rectangles) : undefined;

    hits.reserve(Math.min(count, Math.max(maxBoxes, maxRefused)));
    let viable = 0;
    let refused = 0;
    let viableTotal = 0;
    for (let k = 0; k < count; k++) {
      const c = this.order[k]!;
      const slot = slots[c]!;
      const reason = this.refusal(slot, regions, policy);
      if (reason < 0) {
        viableTotal++;
        if (viable < maxBoxes) {
          hits.slots[viable] = slot;
          hits.distances[viable++] = roundDistance(dist[c]!);
        }
      } else if (refused < maxRefused) {
        hits.refusedSlots[refused] = slot;
        hits.refusedDistances[refused] = roundDistance(dist[c]!);
        hits.refusedReasons[refused++] = reason;
      }
    }
    hits.viable = viable;
    hits.refused = refused;
    hits.viableTotal = viableTotal;
    hits.refusedTotal = count - viableTotal;
    return hits;
  }

  /** The id of the box in `slot` (a search hit). */
  idAt(slot: number): string {
    return this.ids[slot]!;
  }

  /** The caller's ref of the box in `slot` (BoxInput.ref; -1 when none was given). */
  refAt(slot: number): number {
    return this.refs[slot]!;
  }

  /** The free ports of the box in `slot`. */
  freePortsAt(slot: number): number {
    return this.freePorts[slot]!;
  }

  /** The slot of a box, or undefined when it is not indexed. */
  slotOf(id: string): number | undefined {
    return this.slotOfId.get(id);
  }

  private collect(rectangles: ReturnType<typeof boundingBoxes>, point: PreparedPoint): number {
    let count = 0;
    for (const rectangle of rectangles) {
      count = collectFromTree(
        this.coords,
        this.nodeSize,
        this.flags,
        this.cosLat,
        rectangle,
        point,
        this.candidates,
        count,
        this.stack,
      );
      if (count < 0) return -1;
    }
    const { slots, dist } = this.candidates;
    for (const e of this.overlay) {
      const d = haversineMeters(point.lat, point.lng, e.lat, e.lng);
      if (d > point.radius) continue;
      if (count === slots.length) return -1;
      slots[count] = e.slot;
      dist[count++] = d;
    }
    return count;
  }

  /**
   * Pole mode reaches boxes along the pole network rather than by distance: this applies the same
   * rules to one box by id. Writes its position, offered ports and first failed rule into `out`;
   * false (and nothing written) when the box is not indexed. `regions` from regionsWithTags().
   */
  judge(
    id: string,
    regions: readonly CompiledRegion[] | undefined,
    policy: PortPolicy | undefined,
    out: BoxVerdict,
  ): boolean {
    const slot = this.slotOfId.get(id);
    return slot !== undefined && this.judgeSlot(slot, regions, policy, out);
  }

  /**
   * judge() for a slot from slotFor(): no id lookup. Slots stay valid until rebuild(); false when
   * the slot's box was removed.
   */
  judgeSlot(
    slot: number,
    regions: readonly CompiledRegion[] | undefined,
    policy: PortPolicy | undefined,
    out: BoxVerdict,
  ): boolean {
    if (!(slot >= 0 && slot < this.slotCount)) return false;
    if (this.flags[slot]! & IN_TREE) {
      out.lat = this.coords[2 * slot + 1]!;
      out.lng = this.coords[2 * slot]!;
    } else {
      const at = this.overlayPos.get(slot);
      if (at === undefined) return false; // removed
      const e = this.overlay[at]!;
      out.lat = e.lat;
      out.lng = e.lng;
    }
    out.freePorts = this.offered(slot, policy);
    const reason = this.refusal(slot, regions, policy);
    out.reason = reason < 0 ? undefined : REFUSAL_REASONS[reason];
    return true;
  }

  /** Every slot is below this (for callers keeping arrays per slot). */
  get slotLimit(): number {
    return this.slotCount;
  }

  /**
   * The boxes within `radius` metres (great circle) of the point, as slots and distances in no
   * particular order, in buffers this index reuses: read them before the next query. No rules
   * applied (see judgeSlot()). Validates like query().
   */
  within(lat: number, lng: number, radius: number): { count: number } & Candidates {
    assertLatLng(lat, lng);
    assertRadius(radius);
    const point: PreparedPoint = {
      lat,
      lng,
      cosLat: Math.cos(lat * RAD),
      radius,
      aMax: haversineCutoff(radius),
    };
    const rectangles = boundingBoxes(lat, lng, radius);
    let count = this.collect(rectangles, point);
    while (count < 0) {
      this.growCandidates();
      count = this.collect(rectangles, point);
    }
    return { count, slots: this.candidates.slots, dist: this.candidates.dist };
  }

  /** A box's slot (for judgeSlot()), or -1 when it is not indexed. */
  slotFor(id: string): number {
    return this.slotOfId.get(id) ?? -1;
  }

  /** The plan regions carrying one of `tags`, for judge(); undefined when no tag is asked for. */
  regionsWithTags(tags: readonly string[] | undefined): CompiledRegion[] | undefined {
    const checked = checkTags(tags);
    if (checked.length === 0) return undefined;
    return this.regions.filter((r) => checked.some((t) => r.tags.has(t)));
  }

  /** The ports a query with `policy` may offer in the box in `slot` (see PortPolicy). */
  offeredAt(slot: number, policy: PortPolicy | undefined): number {
    return this.offered(slot, policy);
  }

  private offered(slot: number, policy: PortPolicy | undefined): number {
    return offeredFromPacked(this.freePorts[slot]!, this.extras[slot]!, policy);
  }

  // -1 when viable, else the index in REFUSAL_REASONS of the first rule the box fails.
  private refusal(
    slot: number,
    regions: readonly CompiledRegion[] | undefined,
    policy?: PortPolicy,
  ): number {
    const f = this.flags[slot]!;
    if (f & DRAFT) return 0;
    if ((f & HAS_DROP) === 0) return 1;
    if (this.offered(slot, policy) <= 0) return 2;
    if (regions === undefined) return -1;
    const [lat, lng] = this.positionOf(slot);
    for (const region of regions) if (regionContains(region, lat, lng)) return -1;
    return 3;
  }

  private positionOf(slot: number): [number, number] {
    if (this.flags[slot]! & IN_TREE) return [this.coords[2 * slot + 1]!, this.coords[2 * slot]!];
    const e = this.overlay[this.overlayPos.get(slot)!]!;
    return [e.lat, e.lng];
  }

  private growCandidates(): void {
    const size = this.candidates.slots.length * 2;
    this.candidates = { slots: new Int32Array(size), dist: new Float64Array(size) };
    this.keys = new Float64Array(size);
    this.order = new Int32Array(size);
  }

  private addBox(box: BoxInput): void {
    const flags = checkBox(box);
    const slot = this.slotCount++;
    if (slot >= this.flags.length) {
      const capacity = Math.max(16, this.flags.length * 2);
      const grownFlags = new Uint8Array(capacity);
      grownFlags.set(this.flags);
      this.flags = grownFlags;
      const grownPorts = new Int32Array(capacity);
      grownPorts.set(this.freePorts);
      this.freePorts = grownPorts;
      const grownRefs = new Int32Array(capacity);
      grownRefs.set(this.refs);
      this.refs = grownRefs;
      const grownExtras = new Int32Array(capacity);
      grownExtras.set(this.extras);
      this.extras = grownExtras;
    }
    this.ids.push(box.id);
    this.flags[slot] = flags;
    this.freePorts[slot] = box.freePorts ?? 0;
    this.extras[slot] = packExtraPorts(box);
    this.refs[slot] = box.ref ?? -1;
    this.slotOfId.add(box.id, slot);
    this.live++;
    this.moveBox(slot, box.lat, box.lng);
  }

  // Puts a box at (lat, lng): unchanged tree positions stay, anything else goes to the overlay.
  private moveBox(slot: number, lat: number, lng: number): void {
    if (this.flags[slot]! & IN_TREE) {
      if (this.coords[2 * slot + 1] === lat && this.coords[2 * slot] === lng) return;
      this.flags[slot] = this.flags[slot]! & ~IN_TREE;
    }
    const entry: OverlayEntry = { slot, lat, lng, cosLat: Math.cos(lat * RAD) };
    const at = this.overlayPos.get(slot);
    if (at !== undefined) {
      this.overlay[at] = entry;
      return;
    }
    this.overlayPos.set(slot, this.overlay.length);
    this.overlay.push(entry);
  }

  private dropFromOverlay(slot: number): void {
    const at = this.overlayPos.get(slot);
    if (at === undefined) return;
    const last = this.overlay.pop()!;
    this.overlayPos.delete(slot);
    if (last.slot !== slot) {
      this.overlay[at] = last;
      this.overlayPos.set(last.slot, at);
    }
  }
}

function emptyColumns(n: number): Columns {
  return {
    ids: [],
    flags: new Uint8Array(n),
    freePorts: new Int32Array(n),
    refs: new Int32Array(n),
    extras: new Int32Array(n),
  };
}
