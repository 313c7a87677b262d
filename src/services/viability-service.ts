import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Db } from '../ozmap-model/db/client.js';
import {
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
  properties: Array<VacantProperty & { distance: number }>;
}

export interface ViabilityServiceOptions {
  defaultRadiusMeters: () => number;
  maxRadiusMeters: number;
  maxBoxes: () => number;
  logger: Logger;
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
    const { point, radius, capped, result } = this.query(input);
    const boxes = result.boxes.map((b) =>
      Object.assign(this.summary(b.id, b.distance), { availability: b.freePorts }),
    );
    const refused = result.refused.map((b) =>
      Object.assign(this.summary(b.id, b.distance), { reason: b.reason }),
    );
    return {
      viable: boxes.length > 0,
      point,
      radius,
      radiusCapped: capped,
      boxes,
      refused,
      properties: this.vacant.size ? this.vacantNear(point, radius) : [],
    };
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
  ): string[] {
    // Only the viable boxes, nearest first: no refused list or summaries to build.
    const { result } = this.query({ ...point, radius: radiusMeters, tags }, 0);
    return result.boxes.map((b) => b.id);
  }

  /** Validates the input and asks the index; the radius is the caller's, else the defaults. */
  private query(input: ViabilityCheck, maxRefused?: number) {
    const point = validatePoint(input);
    const { radius, capped } = this.radiusFor(input.radius, input.defaultRadius);
    const tags = this.checkTags(input.tags);
    const result = this.index.query({
      lat: point.lat,
      lng: point.lng,
      radius,
      tags,
      maxBoxes: this.options.maxBoxes(),
      maxRefused,
    });
    return { point, radius, capped, result };
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
      this.options.logger.debug(
        { ms: Date.now() - started, boxes: this.index.size },
        'viability index rebuilt',
      );
    });
  }
}
