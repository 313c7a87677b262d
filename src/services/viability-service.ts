import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Db } from '../ozmap-model/db/client.js';
import {
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
  loadBoxes,
  loadRegions,
  loadVacantProperties,
  type BoxFacts,
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
  distance: number;
  freePorts?: number;
  reason?: AnswerReason;
  straightDistance?: number;
  pole?: string;
  route?: PoleRoute;
  routeLength?: number | null;
}

const REBUILD_AFTER = 256;

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
  private readonly facts = new Map<string, BoxFacts>();
  private vacant = new Map<string, VacantProperty>();
  private knownTags = new Set<string>();
  private rebuildScheduled = false;

  private constructor(
    private readonly db: Db,
    private readonly options: ViabilityServiceOptions,
  ) {
    this.index = ViabilityIndex.build([]);
  }

  static async load(db: Db, options: ViabilityServiceOptions): Promise<ViabilityService> {
    const service = new ViabilityService(db, options);
    const started = Date.now();
    const boxes = await loadBoxes(db);
    const regions = await service.loadRegions();
    service.index = ViabilityIndex.build(
      boxes.map((b) => service.remember(b)),
      { regions },
    );
    for (const p of await loadVacantProperties(db)) service.vacant.set(p.id, p);
    options.logger.info(
      { boxes: boxes.length, regions: regions.length, ms: Date.now() - started },
      'viability index built',
    );
    return service;
  }

  check(input: ViabilityCheck): ViabilityAnswer {
    const q = this.prepare(input);
    const found = this.find(q, { refused: true, routes: input.routes === true });
    const { point, radius, settings } = q;
    const condos = settings.horizontalCondos ? this.condos?.set : undefined;
    const extras = (f: Found): BoxSummary & BoxExtras => {
      const box: BoxSummary & BoxExtras = this.summary(f.id, f.distance);
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

  /** The settings a check runs with: the system's, then the caller's layers. */
  effective(layers: ReadonlyArray<ViabilityOverrides | undefined> = []): EffectiveViability {
    const system = this.options.viabilitySettings?.() ?? DEFAULT_VIABILITY_SETTINGS;
    return effectiveSettings(
      { ...system, radius: this.options.defaultRadiusMeters(), maxBoxes: this.options.maxBoxes() },
      ...layers,
    );
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
   */
  private find(
    q: ReturnType<ViabilityService['prepare']>,
    want: { refused: boolean; routes: boolean },
  ): { boxes: Found[]; refused: Found[]; startPoles?: number; condos: string[] } {
    const { point, settings: s, tags } = q;
    const ports: PortPolicy = {
      blockedAsFree: s.blockedPortsFree,
      vacantAsFree: s.propertyPortsFree,
    };
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
      return {
        boxes: sortFound([...byId.values()]).slice(0, s.maxBoxes),
        refused: want.refused ? sortFound([...refusedById.values()]) : [],
        condos: inside,
      };
    }
    const reach =
      s.mode === 'poles' ? Math.max(q.radius, s.poleAccessDistance + s.maxDropLength) : q.radius;
    const guard = condos?.near(point.lat, point.lng, reach) ? condos : undefined;
    // Community boxes may be dropped below: take every viable box, cut after.
    const maxBoxes = guard ? undefined : s.maxBoxes;
    const maxRefused = want.refused ? undefined : 0;
    let boxes: Found[];
    let refused: Found[];
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
      ({ boxes, refused, startPoles } = r);
    } else {
      const r = this.index.query({ ...point, radius: q.radius, tags, maxBoxes, maxRefused, ports });
      ({ boxes, refused } = r);
    }
    if (guard) {
      const outsiders: Found[] = [];
      boxes = boxes.filter((b) => {
        const f = this.facts.get(b.id);
        if (!f || guard.containing(f.lat, f.lng).length === 0) return true;
        outsiders.push({ ...b, reason: 'horizontal_condo' });
        return false;
      });
      boxes = boxes.slice(0, s.maxBoxes);
      if (want.refused) refused = sortFound([...refused, ...outsiders]);
    }
    return { boxes, refused, ...(startPoles !== undefined ? { startPoles } : {}), condos: [] };
  }

  private summary(id: string, distance: number): BoxSummary {
    const f = this.facts.get(id);
    return {
      id,
      name: f?.name ?? null,
      project: f?.projectId ?? '',
      lat: f?.lat ?? 0,
      lng: f?.lng ?? 0,
      implanted: f?.implanted ?? false,
      distance,
    };
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

  async boxesChanged(boxIds: Iterable<string>): Promise<void> {
    const ids = [...new Set(boxIds)];
    if (ids.length === 0) return;
    const rows = await loadBoxes(this.db, ids);
    const found = new Set(rows.map((r) => r.id));
    for (const row of rows) this.index.upsertBox(this.remember(row));
    for (const id of ids) {
      if (found.has(id)) continue;
      this.index.removeBox(id);
      this.facts.delete(id);
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
    const result = this.index.query({ ...p, radius: meters, maxBoxes: 1, maxRefused: 1 });
    return result.boxes.length > 0 || result.refused.length > 0;
  }

  /** Boxes currently indexed (for /ready-style diagnostics and tests). */
  get size(): number {
    return this.index.size;
  }

  private remember(row: BoxFacts & { splitters: SplitterPorts[] }): BoxInput {
    const { splitters, ...facts } = row;
    this.facts.set(row.id, facts);
    return {
      id: row.id,
      lat: row.lat,
      lng: row.lng,
      draft: row.draft,
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
