import { ViabilityInputError, show } from './errors.js';

/** Mean Earth radius (IUGG), metres. All distances in the core are on this sphere. */
export const EARTH_RADIUS_METERS = 6371008.8;

/** Half the circumference: no two points on the sphere are farther apart. */
export const MAX_DISTANCE_METERS = Math.PI * EARTH_RADIUS_METERS;

export const RAD = Math.PI / 180;
export const HALF_RAD = Math.PI / 360;

/**
 * Great-circle distance in metres (haversine). The index computes exactly this expression, in
 * this order, so results agree bit for bit with a brute-force scan that calls this function.
 */
export function haversineMeters(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const sinLat = Math.sin((lat2 - lat1) * HALF_RAD);
  const sinLng = Math.sin((lng2 - lng1) * HALF_RAD);
  const a = sinLat * sinLat + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * sinLng * sinLng;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.sqrt(a < 1 ? a : 1));
}

/** Metres rounded to the centimetre, as results report them. */
export function roundDistance(meters: number): number {
  return Math.round(meters * 100) / 100;
}

/** A [minLng, minLat, maxLng, maxLat] rectangle in degrees. */
export type DegreeBox = [number, number, number, number];

// Rectangles are widened by this much so that rounding never drops a point the haversine keeps.
const EPSILON_DEG = 1e-9;

/**
 * Degree rectangles that together cover every point within `radius` metres of (lat, lng): one
 * rectangle, or two when the circle crosses the antimeridian. A circle that reaches a pole covers
 * every longitude. The longitude half-width is the exact one for a spherical cap,
 * asin(sin(δ) / cos(φ)), not the degrees-per-metre guess that fails away from the equator.
 */
export function boundingBoxes(lat: number, lng: number, radius: number): DegreeBox[] {
  const delta = radius / EARTH_RADIUS_METERS;
  const deltaDeg = delta / RAD + EPSILON_DEG;
  const minLat = Math.max(-90, lat - deltaDeg);
  const maxLat = Math.min(90, lat + deltaDeg);
  if (delta >= Math.PI / 2 || maxLat >= 90 || minLat <= -90) return [[-180, minLat, 180, maxLat]];
  const ratio = Math.sin(delta) / Math.cos(lat * RAD);
  if (ratio >= 1) return [[-180, minLat, 180, maxLat]];
  const halfWidth = Math.asin(ratio) / RAD + EPSILON_DEG;
  const west = lng - halfWidth;
  const east = lng + halfWidth;
  if (east - west >= 360) return [[-180, minLat, 180, maxLat]];
  if (west < -180) {
    return [
      [-180, minLat, east, maxLat],
      [west + 360, minLat, 180, maxLat],
    ];
  }
  if (east > 180) {
    return [
      [west, minLat, 180, maxLat],
      [-180, minLat, east - 360, maxLat],
    ];
  }
  return [[west, minLat, east, maxLat]];
}

/** Throws unless (lat, lng) is a finite WGS84 position; `what` names it in the message. */
export function assertLatLng(lat: unknown, lng: unknown, what = 'point'): void {
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    throw new ViabilityInputError(
      `${what}: lat must be a number between -90 and 90, got ${show(lat)}`,
      'lat',
    );
  }
  if (typeof lng !== 'number' || !Number.isFinite(lng) || lng < -180 || lng > 180) {
    throw new ViabilityInputError(
      `${what}: lng must be a number between -180 and 180, got ${show(lng)}`,
      'lng',
    );
  }
}

/** Throws unless `radius` is a finite, non-negative number of metres. */
export function assertRadius(radius: unknown): asserts radius is number {
  if (typeof radius !== 'number' || !Number.isFinite(radius) || radius < 0) {
    throw new ViabilityInputError(
      `radius must be a finite number of metres >= 0, got ${show(radius)}`,
      'radius',
    );
  }
}

/**
 * Caps a requested radius at the platform maximum. The service calls it before querying and
 * tells the caller when the radius was capped. Validates `requested` like a query would.
 */
export function clampRadius(requested: number, max: number): { radius: number; capped: boolean } {
  assertRadius(requested);
  assertRadius(max);
  return requested > max ? { radius: max, capped: true } : { radius: requested, capped: false };
}
