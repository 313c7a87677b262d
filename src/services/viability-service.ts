import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Db } from '../ozmap-model/db/client.js';
import {
  REFUSAL_REASONS,
  SearchHits,
  ViabilityIndex,
  clampRadius,
  dropAvailability,
  haversineMeters,
  roundDistance,
  type BoxInput,
  type RefusalReason,
  type RegionInput,
  type SplitterPorts,
} from '../viability/index.js';
import { validatePoint, type GeoPoint } from './geo-input.js';
import type { PortChanges, ViableBoxFinder } from './reservations.js';
import {
  loadAllBoxes,
  loadBoxes,
  loadRegions,
  loadVacantProperties,
  type BoxFacts,
  type LoadedInventory,
  type VacantProperty,
} from './viability-loader.js';

export interface ViabilityCheck {
  lat: unknown;
  lng: unknown;
  radius?: unknown;
  tags?: string[];
  /** The caller's own default (an integration's radius) before the system default. */
  defaultRadius?: number;
}

export interface BoxSummary {
  id: string;
  name: string | null;
  project: string;
  lat: number;
  lng: number;
  implanted: boolean;
  distance: number;
}

export interface ViabilityAnswer {
  viable: boolean;
  point: GeoPoint;
  radius: number;
  /** The requested radius was above the maximum and was reduced to it. */
  radiusCapped: boolean;
  boxes: Array<BoxSummary & { availability: number }>;
  refused: Array<BoxSummary & { reason: RefusalReason }>;
  /** Viable boxes in the radius beyond the maximum shown (the farther ones). */
  boxesOmitted: number;
  /** Refused boxes in the radius beyond the maximum shown (the farther ones). */
  refusedOmitted: number;
  properties: Array<VacantProperty & { distance: number }>;
}

export interface ViabilityServiceOptions {
  defaultRadiusMeters: () => number;
  maxRadiusMeters: number;
  maxBoxes: () => number;
  logger: Logger;
}

const REBUILD_AFTER = 256;
/** Changed boxes past which the whole inventory is read again instead. */
const FULL_RELOAD_AFTER = 2_000;

/**
 * What the answer shows about each indexed box besides distance and availability, in columns
 * indexed by the box's row (its `ref` in the index): a search hit resolves to its facts with no
 * lookup, and a million boxes cost a few arrays rather than a million objects.
 */
class FactTable {
  names: Array<string | null> = [];
  project: Int32Array = new Int32Array(0);
  lat: Float64Array = new Float64Array(0);
  lng: Float64Array = new Float64Array(0);
  implanted: Uint8Array = new Uint8Array(0);
  private readonly projects: string[] = [];
  private readonly projectIndex = new Map<string, number>();
  private readonly free: number[] = [];
  private size = 0;

  static fromInventory(inv: LoadedInventory): FactTable {
    const t = new FactTable();
    t.names = inv.names;
    t.project = inv.project;
    t.lat = inv.lat;
    t.lng = inv.lng;
    t.implanted = inv.implanted;
    inv.projects.forEach((p, i) => {
      t.projects.push(p);
      t.projectIndex.set(p, i);
    });
    t.size = inv.names.length;
    return t;
  }

  /** Writes `facts` into `row`, or into a new row when `row` is undefined; returns the row. */
  put(facts: BoxFacts, row?: number): number {
    const r = row ?? this.free.pop() ?? this.append();
    this.names[r] = facts.name;
    let p = this.projectIndex.get(facts.projectId);
    if (p === undefined) {
      p = this.projects.push(facts.projectId) - 1;
      this.projectIndex.set(facts.projectId, p);
    }
    this.project[r] = p;
    this.lat[r] = facts.lat;
    this.lng[r] = facts.lng;
    this.implanted[r] = facts.implanted ? 1 : 0;
    return r;
  }

  release(row: number): void {
    this.names[row] = null;
    this.free.push(row);
  }

  projectOf(row: number): string {
    return this.projects[this.project[row]!] ?? '';
  }

  private append(): number {
    const r = this.size++;
    if (r >= this.lat.length) {
      const capacity = Math.max(64, this.lat.length * 2);
      const grow = <T extends Int32Array | Float64Array | Uint8Array>(
        a: T,
        make: (n: number) => T,
      ) => {
        const b = make(capacity);
        b.set(a);
        return b;
      };
      this.project = grow(this.project, (n) => new Int32Array(n));
      this.lat = grow(this.lat, (n) => new Float64Array(n));
      this.lng = grow(this.lng, (n) => new Float64Array(n));
      this.implanted = grow(this.implanted, (n) => new Uint8Array(n));
    }
    return r;
  }
}

/**
 * Keeps the pure viability index in step with the database and answers viability questions.
 * Every inventory writer reports its changes here (NetworkChanges), so the next query sees them:
 * a port change touches only that box's availability; geometry changes go to the index overlay,
 * which is folded into a rebuilt index off the request path.
 */
export class ViabilityService implements PortChanges, ViableBoxFinder {
  private index: ViabilityIndex;
  private facts = new FactTable();
  private vacant = new Map<string, VacantProperty>();
  private knownTags = new Set<string>();
  private rebuildScheduled = false;
  private changedDuringReload: Set<string> | undefined;
  private readonly hits = new SearchHits();

  private constructor(
    private readonly db: Db,
    private readonly options: ViabilityServiceOptions,
  ) {
    this.index = ViabilityIndex.build([]);
  }

  static async load(db: Db, options: ViabilityServiceOptions): Promise<ViabilityService> {
    const service = new ViabilityService(db, options);
    await service.reloadAll();
    return service;
  }

  /** Reads the whole inventory again (one snapshot) and swaps in a fresh index. */
  private async reloadAll(): Promise<void> {
    const { options } = this;
    const started = Date.now();
    // Writes reported while the snapshot is read may be missing from it: redone after the swap.
    const during = new Set<string>();
    this.changedDuringReload = during;
    let inv: LoadedInventory;
    try {
      inv = await loadAllBoxes(this.db);
    } finally {
      this.changedDuringReload = undefined;
    }
    const loaded = Date.now();
    const regions = await this.loadRegions();
    const index = ViabilityIndex.fromColumns(
      {
        ids: inv.ids,
        lat: inv.lat,
        lng: inv.lng,
        draft: inv.draft,
        hasDropSplitter: inv.hasDropSplitter,
        freePorts: inv.freePorts,
        refs: Int32Array.from({ length: inv.ids.length }, (_, i) => i),
      },
      { regions },
    );
    this.facts = FactTable.fromInventory(inv);
    this.index = index;
    this.vacant = new Map(inv.vacant.map((p) => [p.id, p]));
    if (during.size) await this.boxesChanged(during);
    options.logger.info(
      {
        boxes: inv.ids.length,
        dropSplitters: inv.dropSplitters,
        takenPorts: inv.takenPorts,
        regions: regions.length,
        loadMs: loaded - started,
        ms: Date.now() - started,
      },
      'viability index built',
    );
  }

  check(input: ViabilityCheck): ViabilityAnswer {
    const { point, radius, capped, hits } = this.query(input, this.options.maxBoxes());
    const boxes: ViabilityAnswer['boxes'] = [];
    const refused: ViabilityAnswer['refused'] = [];
    for (let k = 0; k < hits.viable; k++) {
      const slot = hits.slots[k]!;
      const box = this.summary(slot, hits.distances[k]!) as BoxSummary & { availability: number };
      box.availability = this.index.freePortsAt(slot);
      boxes.push(box);
    }
    for (let k = 0; k < hits.refused; k++) {
      const box = this.summary(hits.refusedSlots[k]!, hits.refusedDistances[k]!) as BoxSummary & {
        reason: RefusalReason;
      };
      box.reason = REFUSAL_REASONS[hits.refusedReasons[k]!]!;
      refused.push(box);
    }
    return {
      viable: boxes.length > 0,
      point,
      radius,
      radiusCapped: capped,
      boxes,
      refused,
      boxesOmitted: hits.viableTotal - hits.viable,
      refusedOmitted: hits.refusedTotal - hits.refused,
      properties: this.vacant.size ? this.vacantNear(point, radius) : [],
    };
  }

  // One object per shown box, its fields in one shape (the answer is serialised at once).
  private summary(slot: number, distance: number): BoxSummary {
    const row = this.index.refAt(slot);
    const f = this.facts;
    return {
      id: this.index.idAt(slot),
      name: f.names[row] ?? null,
      project: f.projectOf(row),
      lat: f.lat[row]!,
      lng: f.lng[row]!,
      implanted: f.implanted[row] === 1,
      distance,
    };
  }

  viableBoxIds(
    point: GeoPoint,
    radiusMeters: number | undefined,
    tags: string[] | undefined,
  ): string[] {
    // Only the viable boxes, nearest first: no refused list or summaries to build.
    const { hits } = this.query(
      { ...point, radius: radiusMeters, tags },
      this.options.maxBoxes(),
      0,
    );
    const ids: string[] = [];
    for (let k = 0; k < hits.viable; k++) ids.push(this.index.idAt(hits.slots[k]!));
    return ids;
  }

  /**
   * Validates the input and searches the index; the radius is the caller's, else the defaults.
   * Refused boxes are bounded like viable ones (nearest first, the same maximum).
   */
  private query(input: ViabilityCheck, maxBoxes: number, maxRefused = maxBoxes) {
    const point = validatePoint(input);
    const { radius, capped } = this.radiusFor(input.radius, input.defaultRadius);
    const tags = this.checkTags(input.tags);
    const hits = this.index.search(
      { lat: point.lat, lng: point.lng, radius, tags, maxBoxes, maxRefused },
      this.hits,
    );
    return { point, radius, capped, hits };
  }

  async boxesChanged(boxIds: Iterable<string>): Promise<void> {
    const ids = [...new Set(boxIds)];
    if (ids.length === 0) return;
    for (const id of ids) this.changedDuringReload?.add(id);
    // A bulk change (an import, a sync): one snapshot read beats thousands of small ones.
    if (ids.length > FULL_RELOAD_AFTER) {
      await this.reloadAll();
      return;
    }
    const rows = await loadBoxes(this.db, ids);
    const found = new Set(rows.map((r) => r.id));
    for (const row of rows) this.index.upsertBox(this.remember(row));
    for (const id of ids) {
      if (found.has(id)) continue;
      const slot = this.index.slotOf(id);
      if (slot === undefined) continue;
      this.facts.release(this.index.refAt(slot));
      this.index.removeBox(id);
    }
    const changed = new Set(ids);
    for (const [id, p] of this.vacant) if (p.boxId && changed.has(p.boxId)) this.vacant.delete(id);
    for (const p of await loadVacantProperties(this.db, ids)) this.vacant.set(p.id, p);
    this.scheduleRebuild();
  }

  /**
   * A reservation took `count` ports of a box: adjusts its free ports in O(1). Falls back to a
   * reload from the database when the bookkeeping does not add up.
   */
  async portsTaken(boxId: string, count: number): Promise<void> {
    this.changedDuringReload?.add(boxId);
    try {
      if (this.index.adjustFreePorts(boxId, -count) !== undefined) return;
    } catch {
      // drifted (another writer did not report): reload below
    }
    await this.boxesChanged([boxId]);
  }

  async regionsChanged(): Promise<void> {
    this.index.setRegions(await this.loadRegions());
  }

  /**
   * Whether any box at all (viable or not, drafts included) lies within `meters` of the point:
   * the chatbot's "is this area served at all" question. Not capped by MAX_RADIUS_METERS.
   */
  anyBoxWithin(point: GeoPoint, meters: number): boolean {
    const p = validatePoint(point);
    const hits = this.index.search({ ...p, radius: meters, maxBoxes: 0, maxRefused: 0 }, this.hits);
    return hits.viableTotal + hits.refusedTotal > 0;
  }

  /** Boxes currently indexed (for /ready-style diagnostics and tests). */
  get size(): number {
    return this.index.size;
  }

  private remember(row: BoxFacts & { splitters: SplitterPorts[] }): BoxInput {
    const { splitters, ...facts } = row;
    const slot = this.index.slotOf(row.id);
    const ref = this.facts.put(facts, slot === undefined ? undefined : this.index.refAt(slot));
    return {
      id: row.id,
      lat: row.lat,
      lng: row.lng,
      draft: row.draft,
      ref,
      ...dropAvailability(splitters),
    };
  }

  private async loadRegions(): Promise<RegionInput[]> {
    const regions = await loadRegions(this.db);
    this.knownTags = new Set(regions.flatMap((r) => r.tags));
    const allTags = await this.db.tag.findMany({ select: { id: true, name: true } });
    for (const t of allTags) {
      this.knownTags.add(t.id);
      this.knownTags.add(t.name);
    }
    return regions;
  }

  private radiusFor(
    requested: unknown,
    callerDefault: number | undefined,
  ): { radius: number; capped: boolean } {
    if (requested === undefined || requested === null || requested === '') {
      return { radius: callerDefault ?? this.options.defaultRadiusMeters(), capped: false };
    }
    const n =
      typeof requested === 'number'
        ? requested
        : typeof requested === 'string'
          ? Number(requested.trim())
          : NaN;
    if (!Number.isFinite(n) || n <= 0) {
      throw new ValidationError(
        `radius must be a positive number of metres, got ${JSON.stringify(requested)}`,
        'radius',
      );
    }
    return clampRadius(n, this.options.maxRadiusMeters);
  }

  private checkTags(tags: string[] | undefined): string[] | undefined {
    const cleaned = (tags ?? []).map((t) => t.trim()).filter(Boolean);
    if (cleaned.length === 0) return undefined;
    const unknown = cleaned.filter((t) => !this.knownTags.has(t));
    if (unknown.length) throw new ValidationError(`unknown tag(s): ${unknown.join(', ')}`, 'tags');
    return cleaned;
  }

  private vacantNear(
    point: GeoPoint,
    radius: number,
  ): Array<VacantProperty & { distance: number }> {
    const near: Array<VacantProperty & { distance: number }> = [];
    for (const p of this.vacant.values()) {
      const d = haversineMeters(point.lat, point.lng, p.lat, p.lng);
      if (d <= radius) near.push({ ...p, distance: roundDistance(d) });
    }
    return near.sort((a, b) => a.distance - b.distance);
  }

  private scheduleRebuild(): void {
    if (this.rebuildScheduled || this.index.overlaySize < REBUILD_AFTER) return;
    this.rebuildScheduled = true;
    setImmediate(() => {
      this.rebuildScheduled = false;
      const started = Date.now();
      this.index = this.index.rebuild();
      this.options.logger.debug(
        { ms: Date.now() - started, boxes: this.index.size },
        'viability index rebuilt',
      );
    });
  }
}
