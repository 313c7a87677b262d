import type { PortPolicy } from './availability.js';
import { boundingBoxes, haversineMeters, roundDistance } from './geodesy.js';
import {
  compileRegion,
  regionContains,
  type CompiledRegion,
  type GeoJsonMultiPolygon,
  type GeoJsonPolygon,
} from './regions.js';
import type {
  BoxVerdict,
  RefusedBox,
  ViabilityIndex,
  ViabilityResult,
  ViableBox,
} from './viability-index.js';

/** A horizontal condominium ("condomínio horizontal"): a gated community's outline. */
export interface CondoInput {
  id: string;
  polygon: GeoJsonPolygon | GeoJsonMultiPolygon;
}

/** One condominium containing the customer, with the boxes inside it. */
export interface CondoBoxes extends ViabilityResult {
  id: string;
}

const verdict: BoxVerdict = { lat: 0, lng: 0, freePorts: 0, reason: undefined };

/**
 * The gated communities of OZmap's "consider horizontal condominiums" setting. Inside one, the
 * network is the community's own (often underground, behind the wall): a customer inside is
 * served by the boxes inside it, at any distance, and those boxes serve no one outside. This set
 * answers which communities contain a point and which boxes lie inside one. Pure; a few hundred
 * communities are scanned linearly (bounding boxes first).
 */
export class CondoSet {
  private constructor(private readonly condos: readonly CompiledRegion[]) {}

  /** Validates every outline (ViabilityInputError naming the bad one). */
  static build(condos: readonly CondoInput[]): CondoSet {
    return new CondoSet(
      condos.map((c) => compileRegion({ id: c.id, tags: [], polygon: c.polygon })),
    );
  }

  get size(): number {
    return this.condos.length;
  }

  /** Ids of the communities containing the point. */
  containing(lat: number, lng: number): string[] {
    const out: string[] = [];
    for (const c of this.condos) if (regionContains(c, lat, lng)) out.push(c.id);
    return out;
  }

  /** True when some community's bounding box meets the circle (a cheap "any near?"). */
  near(lat: number, lng: number, radius: number): boolean {
    const rectangles = boundingBoxes(lat, lng, radius);
    return this.condos.some((c) =>
      rectangles.some(
        ([w, s, e, n]) => c.bbox[0] <= e && c.bbox[2] >= w && c.bbox[1] <= n && c.bbox[3] >= s,
      ),
    );
  }

  /**
   * The boxes inside community `id` as seen from the customer's point: viable ones and refused
   * ones (the radius rules), each by straight-line distance, nearest first, then id.
   */
  boxesIn(
    index: ViabilityIndex,
    id: string,
    q: { lat: number; lng: number; ports?: PortPolicy; tags?: readonly string[] },
  ): CondoBoxes {
    const condo = this.condos.find((c) => c.id === id);
    const result: CondoBoxes = { id, boxes: [], refused: [] };
    if (!condo) return result;
    const [w, s, e, n] = condo.bbox;
    const cLat = (s + n) / 2;
    const cLng = (w + e) / 2;
    const reach = haversineMeters(cLat, cLng, n, e) + 1;
    const regions = index.regionsWithTags(q.tags);
    const near = index.within(cLat, cLng, reach);
    const slots = near.slots.slice(0, near.count);
    for (const slot of slots) {
      if (!index.judgeSlot(slot, regions, q.ports, verdict)) continue;
      if (!regionContains(condo, verdict.lat, verdict.lng)) continue;
      const distance = roundDistance(haversineMeters(q.lat, q.lng, verdict.lat, verdict.lng));
      const boxId = index.idAt(slot);
      if (verdict.reason === undefined) {
        result.boxes.push({
          id: boxId,
          distance,
          freePorts: verdict.freePorts,
        } satisfies ViableBox);
      } else {
        result.refused.push({ id: boxId, distance, reason: verdict.reason } satisfies RefusedBox);
      }
    }
    const order = (a: { id: string; distance: number }, b: { id: string; distance: number }) =>
      Math.round(a.distance * 100) - Math.round(b.distance * 100) || (a.id < b.id ? -1 : 1);
    result.boxes.sort(order);
    result.refused.sort(order);
    return result;
  }
}
