import { ValidationError } from '../../../errors.js';
import { compileRegion, type CompiledRegion } from '../../../viability/regions.js';

export interface LatLng {
  lat: number;
  lng: number;
}

/** Numbers may arrive as strings (the SDK coerces them); anything else non-finite is refused. */
function toNumber(raw: unknown, what: string): number {
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new ValidationError(`${what} must be a number, got ${JSON.stringify(raw)}`, 'filter');
  }
  return n;
}

function checkRange(point: LatLng, what: string): LatLng {
  if (point.lat < -90 || point.lat > 90) {
    throw new ValidationError(`${what}: lat must be between -90 and 90`, 'filter');
  }
  if (point.lng < -180 || point.lng > 180) {
    throw new ValidationError(`${what}: lng must be between -180 and 180`, 'filter');
  }
  return point;
}

/**
 * A point in any of the SDK's spellings: `{lat, lng}`, `{latitude, longitude}`, or
 * `{coords: [lng, lat]}` / `{coordinates: [lng, lat]}` (GeoJSON order).
 */
export function parsePointValue(raw: unknown, what: string): LatLng {
  if (typeof raw !== 'object' || raw === null) {
    throw new ValidationError(`${what}: value must be a point object`, 'filter');
  }
  const v = raw as Record<string, unknown>;
  const pair = v.coords ?? v.coordinates;
  if (pair !== undefined) {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new ValidationError(`${what}: coords must be [lng, lat]`, 'filter');
    }
    return checkRange(
      { lng: toNumber(pair[0], `${what}: lng`), lat: toNumber(pair[1], `${what}: lat`) },
      what,
    );
  }
  if (v.lat !== undefined || v.lng !== undefined) {
    return checkRange(
      { lat: toNumber(v.lat, `${what}: lat`), lng: toNumber(v.lng, `${what}: lng`) },
      what,
    );
  }
  if (v.latitude !== undefined || v.longitude !== undefined) {
    return checkRange(
      {
        lat: toNumber(v.latitude, `${what}: latitude`),
        lng: toNumber(v.longitude, `${what}: longitude`),
      },
      what,
    );
  }
  throw new ValidationError(
    `${what}: value needs lat/lng, latitude/longitude, coords or coordinates`,
    'filter',
  );
}

/** `near`: a point plus an optional radius in metres (absent = no distance limit). */
export function parseNearValue(raw: unknown, what: string): LatLng & { radius?: number } {
  const point = parsePointValue(raw, what);
  const radiusRaw = (raw as Record<string, unknown>).radius;
  if (radiusRaw === undefined || radiusRaw === null) return point;
  const radius = toNumber(radiusRaw, `${what}: radius`);
  if (radius <= 0) throw new ValidationError(`${what}: radius must be positive metres`, 'filter');
  return { ...point, radius };
}

/** Validates a GeoJSON Polygon and compiles it for point-in-polygon tests. */
export function compilePolygon(raw: unknown, what: string): CompiledRegion {
  try {
    return compileRegion({
      id: 'filter',
      tags: [],
      polygon: raw as Parameters<typeof compileRegion>[0]['polygon'],
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^region filter: /, '') : '';
    throw new ValidationError(`${what}: invalid polygon: ${reason}`, 'filter');
  }
}
