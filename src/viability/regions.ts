import { ViabilityInputError, show } from './errors.js';
import { assertLatLng, type DegreeBox } from './geodesy.js';

/** GeoJSON positions are [lng, lat]. */
export type Position = readonly [number, number] | readonly number[];
export interface GeoJsonPolygon {
  type: 'Polygon';
  coordinates: readonly (readonly Position[])[];
}
export interface GeoJsonMultiPolygon {
  type: 'MultiPolygon';
  coordinates: readonly (readonly (readonly Position[])[])[];
}

/** A plan region: boxes inside it count for queries that ask for one of its tags. */
export interface RegionInput {
  id: string;
  tags: readonly string[];
  polygon: GeoJsonPolygon | GeoJsonMultiPolygon;
}

/**
 * A region ready for point tests: each polygon is a list of rings (outer first, then holes), each
 * ring a flat [lng, lat, lng, lat, ...] array. Rings are planar in degrees; a polygon crossing the
 * antimeridian must be split in two by the caller, as GeoJSON (RFC 7946 §3.1.9) asks.
 */
export interface CompiledRegion {
  readonly id: string;
  readonly tags: ReadonlySet<string>;
  readonly polygons: readonly (readonly Float64Array[])[];
  readonly bbox: Readonly<DegreeBox>;
}

/** Validates a region and precomputes its rings and bounding box. */
export function compileRegion(region: RegionInput): CompiledRegion {
  if (!region || typeof region.id !== 'string' || region.id === '') {
    throw new ViabilityInputError(`region id must be a non-empty string, got ${show(region?.id)}`);
  }
  const what = `region ${region.id}`;
  if (!Array.isArray(region.tags) || region.tags.some((t) => typeof t !== 'string')) {
    throw new ViabilityInputError(
      `${what}: tags must be an array of strings, got ${show(region.tags)}`,
    );
  }
  const geometry = region.polygon as { type?: unknown; coordinates?: unknown } | undefined;
  let raw: unknown[];
  if (geometry?.type === 'Polygon') raw = [geometry.coordinates];
  else if (geometry?.type === 'MultiPolygon' && Array.isArray(geometry.coordinates)) {
    raw = geometry.coordinates as unknown[];
  } else {
    throw new ViabilityInputError(
      `${what}: polygon must be a GeoJSON Polygon or MultiPolygon, got type ${show(geometry?.type)}`,
    );
  }
  const bbox: DegreeBox = [Infinity, Infinity, -Infinity, -Infinity];
  const polygons = raw.map((rings, p) => compilePolygon(rings, `${what} polygon ${p}`, bbox));
  if (polygons.length === 0) throw new ViabilityInputError(`${what}: MultiPolygon has no polygons`);
  return { id: region.id, tags: new Set(region.tags), polygons, bbox };
}

function compilePolygon(rings: unknown, what: string, bbox: DegreeBox): Float64Array[] {
  if (!Array.isArray(rings) || rings.length === 0) {
    throw new ViabilityInputError(`${what}: expected an array of rings, got ${show(rings)}`);
  }
  return rings.map((ring: unknown, r) => {
    const label = `${what} ring ${r}`;
    if (!Array.isArray(ring) || ring.length < 3) {
      throw new ViabilityInputError(`${label}: expected at least 3 positions, got ${show(ring)}`);
    }
    const flat = new Float64Array(ring.length * 2);
    ring.forEach((position: unknown, i) => {
      if (!Array.isArray(position) || position.length < 2) {
        throw new ViabilityInputError(
          `${label}: position ${i} is not [lng, lat]: ${show(position)}`,
        );
      }
      const [lng, lat] = position as unknown[];
      assertLatLng(lat, lng, `${label} position ${i}`);
      flat[2 * i] = lng as number;
      flat[2 * i + 1] = lat as number;
      bbox[0] = Math.min(bbox[0], lng as number);
      bbox[1] = Math.min(bbox[1], lat as number);
      bbox[2] = Math.max(bbox[2], lng as number);
      bbox[3] = Math.max(bbox[3], lat as number);
    });
    return flat;
  });
}

/**
 * Even-odd ray casting over every ring of one polygon, so a point inside a hole is outside. A
 * ring need not repeat its first position at the end. Points exactly on an edge may go either way.
 */
export function polygonContains(rings: readonly Float64Array[], lng: number, lat: number): boolean {
  let inside = false;
  for (const ring of rings) {
    const n = ring.length;
    for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
      const yi = ring[i + 1]!;
      const yj = ring[j + 1]!;
      if (yi > lat !== yj > lat) {
        const xi = ring[i]!;
        const xj = ring[j]!;
        if (lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
}

/** True when (lat, lng) lies in the region (in any of its polygons, outside their holes). */
export function regionContains(region: CompiledRegion, lat: number, lng: number): boolean {
  const [minLng, minLat, maxLng, maxLat] = region.bbox;
  if (lng < minLng || lng > maxLng || lat < minLat || lat > maxLat) return false;
  for (const rings of region.polygons) if (polygonContains(rings, lng, lat)) return true;
  return false;
}

/** Regions carrying at least one of `tags` whose bounding box meets any of `boxes`. */
export function regionsForQuery(
  regions: readonly CompiledRegion[],
  tags: readonly string[],
  boxes: readonly DegreeBox[],
): CompiledRegion[] {
  return regions.filter(
    (region) =>
      tags.some((tag) => region.tags.has(tag)) &&
      boxes.some(
        ([w, s, e, n]) =>
          region.bbox[0] <= e && region.bbox[2] >= w && region.bbox[1] <= n && region.bbox[3] >= s,
      ),
  );
}
