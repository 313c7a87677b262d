import { ValidationError } from '../errors.js';

export interface GeoPoint {
  lat: number;
  lng: number;
}

/** Rejects NaN, non-numbers and out-of-range coordinates, naming the field. */
export function validatePoint(point: { lat: unknown; lng: unknown }): GeoPoint {
  const lat = toNumber(point.lat, 'lat');
  const lng = toNumber(point.lng, 'lng');
  if (lat < -90 || lat > 90)
    throw new ValidationError(`lat must be between -90 and 90, got ${lat}`, 'lat');
  if (lng < -180 || lng > 180)
    throw new ValidationError(`lng must be between -180 and 180, got ${lng}`, 'lng');
  return { lat, lng };
}

function toNumber(value: unknown, field: string): number {
  if (value === undefined || value === null || value === '')
    throw new ValidationError(`${field} is required`, field);
  const n =
    typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n))
    throw new ValidationError(`${field} must be a number, got ${JSON.stringify(value)}`, field);
  return n;
}
