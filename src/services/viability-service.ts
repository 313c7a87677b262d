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
  queryByPoles,
  roundDistance,
  type BoxInput,
  type PoleRefusalReason,
  type PoleRoute,
  type PortPolicy,
  type RegionInput,
  type SplitterPorts,
} from '../viability/index.js';
import type { CondoAreas, CondoFacts } from './condo-areas.js';
import type { PoleNetwork } from './pole-network.js';
import {
  DEFAULT_VIABILITY_SETTINGS,
  effectiveSettings,
  type EffectiveViability,
  type SystemViabilitySettings,
  type ViabilityMode,
  type ViabilityOverrides,
} from './viability-settings.js';
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
  /** The caller's viability settings, in order (profile or chatbot, then the request's own). */
  settings?: ReadonlyArray<ViabilityOverrides | undefined>;
  /** Return each viable box's route along the poles (pole mode), for pages that draw it. */
  routes?: boolean;
}

/** Why a box is not offered: the radius rules, pole mode's, or a gated community's. */
export type AnswerReason = PoleRefusalReason | 'horizontal_condo';

/** What pole mode and gated communities add to a box of the answer. */
export interface BoxExtras {
  /** Pole mode: the straight-line metres (`distance` is then the drop length). */
  straightDistance?: number;
  /** Pole mode: the box's pole. */
  pole?: string;
  /** Pole mode, when asked for: customer → poles → box, [lng, lat] each. */
  route?: PoleRoute;
  /** The gated communities the box lies in (when the setting is on). */
  horizontalCondos?: CondoFacts[];
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
  boxes: Array<BoxSummary & BoxExtras & { availability: number }>;
  refused: Array<BoxSummary & BoxExtras & { reason: AnswerReason; routeLength?: number | null }>;
  /** Viable boxes in the radius beyond the maximum shown (the farther ones). */
  boxesOmitted: number;
  /** Refused boxes in the radius beyond the maximum shown (the farther ones). */
  refusedOmitted: number;
  properties: Array<VacantProperty & { distance: number }>;
  /** The mode the answer was found in, and the settings it ran with. */
  mode: ViabilityMode;
  settings: EffectiveViability;
  /** Pole mode: poles within the access distance (0 = no pole near the customer). */
  startPoles?: number;
  /** The gated communities the customer is in, whose boxes answered (setting on). */
  horizontalCondos: Array<CondoFacts & { boxes: string[] }>;
}

export interface ViabilityServiceOptions {
  defaultRadiusMeters: () => number;
  maxRadiusMeters: number;
  maxBoxes: () => number;
  logger: Logger;
  /** The system's viability settings (mode, poles, ports, communities); default: OZmap's defaults. */
  viabilitySettings?: () => SystemViabilitySettings;
}

/** A box found by one of the modes, before the answer adds its facts. */
interface Found {
  id: string;
  /** Its index slot when the search gave it (else looked up by id). */
  slot?: number;
  distance: number;
  freePorts?: number;
  reason?: AnswerReason;
  straightDistance?: number;
  pole?: string;
  route?: PoleRoute;
  routeLength?: number | null;
}

/** What find() answers: the shown boxes and how many more each list had. */
interface FoundSet {
  boxes: Found[];
  refused: Found[];
  boxesOmitted: number;
  refusedOmitted: number;
  startPoles?: number;
  condos: string[];
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
  private poles: PoleNetwork | undefined;
  private condos: CondoAreas | undefined;
  private facts = new FactTable();
  private vacant = new Map<string, VacantProperty>();
  private knownTags = new Set<string>();
  private rebuildScheduled = false;
  private changedDuringReload: Set<string> | undefined;
  private readonly hits = new SearchHits();
  private base?: {
    system: SystemViabilitySettings;
    settings: SystemViabilitySettings & { radius: number; maxBoxes: number };
  };

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
        extras: inv.extras,
        refs: Int32Array.from({ length: inv.ids.length }, (_, i) => i),
      },
      { regions },
    );
    this.facts = FactTable.fromInventory(inv);
    this.index = index;
    this.poles?.indexRebuilt();
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
    const q = this.prepare(input);
    const found = this.find(q, { refused: true, routes: input.routes === true });
    const { point, radius, settings } = q;
    const condos = settings.horizontalCondos ? this.condos?.set : undefined;
    const extras = (f: Found): BoxSummary & BoxExtras => {
      const box: BoxSummary & BoxExtras = this.summary(f.slot ?? this.index.slotOf(f.id), f);
      if (f.straightDistance !== undefined) box.straightDistance = f.straightDistance;
      if (f.pole !== undefined) box.pole = f.pole;
      if (f.route) box.route = withEnds(f.route, point, box);
      if (condos?.size) {
        box.horizontalCondos = condos
          .containing(box.lat, box.lng)
          .map((id) => this.condos!.factsOf(id));
      }
      return box;
    };
    const boxes = found.boxes.map((f) => Object.assign(extras(f), { availability: f.freePorts! }));
    const refused = found.refused.map((f) =>
      Object.assign(extras(f), {
        reason: f.reason!,
        ...(f.routeLength !== undefined ? { routeLength: f.routeLength } : {}),
      }),
    );
    return {
      viable: boxes.length > 0,
      point,
      radius,
      radiusCapped: q.capped,
      boxes,
      refused,
      boxesOmitted: found.boxesOmitted,
      refusedOmitted: found.refusedOmitted,
      properties: this.vacant.size ? this.vacantNear(point, radius) : [],
      mode: settings.mode,
      settings,
      ...(found.startPoles !== undefined ? { startPoles: found.startPoles } : {}),
      horizontalCondos: found.condos.map((id) => ({
        ...this.condos!.factsOf(id),
        boxes: [...boxes, ...refused]
          .filter((b) => b.horizontalCondos?.some((c) => c.id === id))
          .map((b) => b.id),
      })),
    };
  }

  // One object per shown box, its fields in one shape (the answer is serialised at once).
  private summary(slot: number | undefined, f: Found): BoxSummary {
    const row = slot === undefined ? -1 : this.index.refAt(slot);
    const t = this.facts;
    return {
      id: f.id,
      name: t.names[row] ?? null,
      project: row < 0 ? '' : t.projectOf(row),
      lat: t.lat[row] ?? 0,
      lng: t.lng[row] ?? 0,
      implanted: t.implanted[row] === 1,
      distance: f.distance,
    };
  }

  /** The settings a check runs with: the system's, then the caller's layers. */
  effective(layers: ReadonlyArray<ViabilityOverrides | undefined> = []): EffectiveViability {
    const system = this.options.viabilitySettings?.() ?? DEFAULT_VIABILITY_SETTINGS;
    const radius = this.options.defaultRadiusMeters();
    const maxBoxes = this.options.maxBoxes();
    // The base changes only when an admin changes a setting: not rebuilt on every request.
    let base = this.base;
    if (
      base?.system !== system ||
      base.settings.radius !== radius ||
      base.settings.maxBoxes !== maxBoxes
    ) {
      base = { system, settings: { ...system, radius, maxBoxes } };
      this.base = base;
    }
    return effectiveSettings(base.settings, ...layers);
  }

  /** Pole mode and gated communities: attached by the composition root. */
  attach(extras: { poles?: PoleNetwork; condos?: CondoAreas }): void {
    this.poles = extras.poles;
    this.condos = extras.condos;
    this.poles?.linkTo(() => this.index);
  }

  async polesChanged(poleIds: Iterable<string> | 'all'): Promise<void> {
    await this.poles?.polesChanged(poleIds);
  }

  async condosChanged(): Promise<void> {
    await this.condos?.reload();
  }

  /** The ids of the boxes inside a gated community (for the horizontal-condominiums API). */
  boxesInCondo(id: string): string[] {
    const set = this.condos?.set;
    if (!set) return [];
    const inside = set.boxesIn(this.index, id, { lat: 0, lng: 0 });
    return [...inside.boxes, ...inside.refused].map((b) => b.id).sort();
  }

  viableBoxIds(
    point: GeoPoint,
    radiusMeters: number | undefined,
    tags: string[] | undefined,
    settings?: ReadonlyArray<ViabilityOverrides | undefined>,
  ): string[] {
    // Only the viable boxes, nearest first: no refused list or summaries to build.
    const q = this.prepare({ ...point, radius: radiusMeters, tags, settings });
    return this.find(q, { refused: false, routes: false }).boxes.map((b) => b.id);
  }

  /** Validates the input and settles the settings; the radius is the caller's, else the defaults. */
  private prepare(input: ViabilityCheck) {
    const point = validatePoint(input);
    const layers = input.settings ?? [];
    const settings = this.effective(layers);
    // The radius: the request's, else a caller's (profile radius, then a layer's), else the system's.
    const callerDefault =
      [...layers].reverse().find((l) => l?.radius !== undefined)?.radius ?? input.defaultRadius;
    const { radius, capped } = this.radiusFor(input.radius, callerDefault);
    settings.radius = radius;
    return { point, radius, capped, tags: this.checkTags(input.tags), settings };
  }

  /**
   * The boxes for a prepared question, in its mode: inside a gated community (setting on) the
   * community's boxes; else by radius or along the poles, community boxes refused to outsiders.
   * Refused boxes are bounded like viable ones (nearest first, the same maximum).
   */
  private find(
    q: ReturnType<ViabilityService['prepare']>,
    want: { refused: boolean; routes: boolean },
  ): FoundSet {
    const { point, settings: s, tags } = q;
    const ports: PortPolicy | undefined =
      s.blockedPortsFree || s.propertyPortsFree
        ? { blockedAsFree: s.blockedPortsFree, vacantAsFree: s.propertyPortsFree }
        : undefined;
    const condos = s.horizontalCondos && this.condos?.set.size ? this.condos.set : undefined;
    const inside = condos?.containing(point.lat, point.lng) ?? [];
    if (condos && inside.length) {
      const byId = new Map<string, Found>();
      const refusedById = new Map<string, Found>();
      for (const id of inside) {
        const r = condos.boxesIn(this.index, id, { ...point, ports, tags });
        for (const b of r.boxes) byId.set(b.id, b);
        for (const b of r.refused) refusedById.set(b.id, b);
      }
      const refused = want.refused ? sortFound([...refusedById.values()]) : [];
      return {
        boxes: sortFound([...byId.values()]).slice(0, s.maxBoxes),
        refused: refused.slice(0, s.maxBoxes),
        boxesOmitted: Math.max(0, byId.size - s.maxBoxes),
        refusedOmitted: Math.max(0, refused.length - s.maxBoxes),
        condos: inside,
      };
    }
    const reach =
      s.mode === 'poles' ? Math.max(q.radius, s.poleAccessDistance + s.maxDropLength) : q.radius;
    const guard = condos?.near(point.lat, point.lng, reach) ? condos : undefined;
    // Community boxes may be dropped below: take every box, cut after.
    const maxBoxes = guard ? Infinity : s.maxBoxes;
    const maxRefused = !want.refused ? 0 : guard ? Infinity : s.maxBoxes;
    let boxes: Found[];
    let refused: Found[];
    let viableTotal: number;
    let refusedTotal: number;
    let startPoles: number | undefined;
    if (s.mode === 'poles' && this.poles) {
      const r = queryByPoles(this.index, this.poles.current, {
        lat: point.lat,
        lng: point.lng,
        accessDistance: s.poleAccessDistance,
        maxDropLength: s.maxDropLength,
        capDropLength: s.capDropLength,
        radius: q.radius,
        tags,
        maxBoxes,
        maxRefused,
        ports,
        routes: want.routes,
      });
      ({ boxes, refused, startPoles, viableTotal, refusedTotal } = r);
    } else {
      const hits = this.index.search(
        { lat: point.lat, lng: point.lng, radius: q.radius, tags, maxBoxes, maxRefused, ports },
        this.hits,
      );
      boxes = [];
      refused = [];
      for (let k = 0; k < hits.viable; k++) {
        const slot = hits.slots[k]!;
        boxes.push({
          id: this.index.idAt(slot),
          slot,
          distance: hits.distances[k]!,
          freePorts: this.index.offeredAt(slot, ports),
        });
      }
      for (let k = 0; k < hits.refused; k++) {
        const slot = hits.refusedSlots[k]!;
        refused.push({
          id: this.index.idAt(slot),
          slot,
          distance: hits.refusedDistances[k]!,
          reason: REFUSAL_REASONS[hits.refusedReasons[k]!]!,
        });
      }
      ({ viableTotal, refusedTotal } = hits);
    }
    if (guard) {
      const outsiders: Found[] = [];
      boxes = boxes.filter((b) => {
        const at = this.positionOf(b);
        if (!at || guard.containing(at.lat, at.lng).length === 0) return true;
        outsiders.push({ ...b, reason: 'horizontal_condo' });
        return false;
      });
      viableTotal = boxes.length;
      boxes = boxes.slice(0, s.maxBoxes);
      if (want.refused) {
        refused = sortFound([...refused, ...outsiders]);
        refusedTotal = refused.length;
        refused = refused.slice(0, s.maxBoxes);
      }
    }
    return {
      boxes,
      refused,
      boxesOmitted: Math.max(0, viableTotal - boxes.length),
      refusedOmitted: want.refused ? Math.max(0, refusedTotal - refused.length) : 0,
      ...(startPoles !== undefined ? { startPoles } : {}),
      condos: [],
    };
  }

  private positionOf(f: Found): { lat: number; lng: number } | undefined {
    const slot = f.slot ?? this.index.slotOf(f.id);
    if (slot === undefined) return undefined;
    const row = this.index.refAt(slot);
    if (row < 0) return undefined;
    return { lat: this.facts.lat[row]!, lng: this.facts.lng[row]! };
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
      this.poles?.indexRebuilt();
      this.options.logger.debug(
        { ms: Date.now() - started, boxes: this.index.size },
        'viability index rebuilt',
      );
    });
  }
}

function sortFound(list: Found[]): Found[] {
  return list.sort(
    (a, b) => Math.round(a.distance * 100) - Math.round(b.distance * 100) || (a.id < b.id ? -1 : 1),
  );
}

/** A route as pages draw it: from the customer, along the poles, to the box. */
function withEnds(route: PoleRoute, from: GeoPoint, to: { lat: number; lng: number }): PoleRoute {
  return {
    poles: route.poles,
    coordinates: [[from.lng, from.lat], ...route.coordinates, [to.lng, to.lat]],
  };
}
