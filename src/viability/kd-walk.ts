import { EARTH_RADIUS_METERS, HALF_RAD, type DegreeBox } from './geodesy.js';

/** Slot flag: the box's position in the kd-tree is its current one. */
export const IN_TREE = 1;
export const DRAFT = 2;
export const HAS_DROP = 4;

/** A query, prepared once: the point, its cos(lat), the radius and the haversine cut-off. */
export interface PreparedPoint {
  lat: number;
  lng: number;
  cosLat: number;
  radius: number;
  /** Upper bound on the haversine term `a` for points within the radius (slightly loose). */
  aMax: number;
}

/** The haversine cut-off for `radius`, loosened by a relative 1e-9 so rounding never drops a hit. */
export function haversineCutoff(radius: number): number {
  const half = radius / (2 * EARTH_RADIUS_METERS);
  if (half >= Math.PI / 2) return 2;
  const s = Math.sin(half);
  return s * s * (1 + 1e-9);
}

/** The candidate buffers a query fills: slot numbers and distances in metres. */
export interface Candidates {
  slots: Int32Array;
  dist: Float64Array;
}

/**
 * Walks a kdbush tree (its `coords` in kd order, x = lng, y = lat) over one degree rectangle, the
 * same traversal as kdbush's `range()`, and appends every point within the radius. Because slots
 * are numbered in kd order, a tree position is the box's slot: no id indirection. Tombstoned
 * positions (IN_TREE cleared: moved or removed boxes) are skipped. Returns the new count, or -1
 * when the buffers are full (the caller grows them and asks again).
 *
 * The distance is haversineMeters() written out, with the box's cos(lat) precomputed, in the same
 * operation order, so it is bit-identical.
 */
export function collectFromTree(
  coords: Float64Array,
  nodeSize: number,
  flags: Uint8Array,
  cosLat: Float64Array,
  box: DegreeBox,
  q: PreparedPoint,
  out: Candidates,
  count: number,
  stack: Uint32Array,
): number {
  const n = cosLat.length;
  if (n === 0) return count;
  const minX = box[0];
  const minY = box[1];
  const maxX = box[2];
  const maxY = box[3];
  const lat = q.lat;
  const lng = q.lng;
  const cosQ = q.cosLat;
  const radius = q.radius;
  const aMax = q.aMax;
  const slots = out.slots;
  const dist = out.dist;
  const capacity = slots.length;
  const twoR = 2 * EARTH_RADIUS_METERS;

  stack[0] = 0;
  stack[1] = n - 1;
  stack[2] = 0;
  let sp = 3;
  while (sp > 0) {
    const axis = stack[--sp]!;
    const right = stack[--sp]!;
    const left = stack[--sp]!;

    // a leaf: test its points one by one
    if (right - left <= nodeSize) {
      for (let i = left; i <= right; i++) {
        const x = coords[2 * i]!;
        const y = coords[2 * i + 1]!;
        if (x < minX || x > maxX || y < minY || y > maxY || (flags[i]! & IN_TREE) === 0) continue;
        const sinLat = Math.sin((y - lat) * HALF_RAD);
        const sinLng = Math.sin((x - lng) * HALF_RAD);
        const a = sinLat * sinLat + cosQ * cosLat[i]! * sinLng * sinLng;
        if (a > aMax) continue;
        const d = twoR * Math.asin(Math.sqrt(a < 1 ? a : 1));
        if (d > radius) continue;
        if (count === capacity) return -1;
        slots[count] = i;
        dist[count++] = d;
      }
      continue;
    }

    // an inner node: test the middle point, then descend into the halves the rectangle meets
    const m = (left + right) >> 1;
    const x = coords[2 * m]!;
    const y = coords[2 * m + 1]!;
    if (x >= minX && x <= maxX && y >= minY && y <= maxY && (flags[m]! & IN_TREE) !== 0) {
      const sinLat = Math.sin((y - lat) * HALF_RAD);
      const sinLng = Math.sin((x - lng) * HALF_RAD);
      const a = sinLat * sinLat + cosQ * cosLat[m]! * sinLng * sinLng;
      if (a <= aMax) {
        const d = twoR * Math.asin(Math.sqrt(a < 1 ? a : 1));
        if (d <= radius) {
          if (count === capacity) return -1;
          slots[count] = m;
          dist[count++] = d;
        }
      }
    }
    if (axis === 0 ? minX <= x : minY <= y) {
      stack[sp++] = left;
      stack[sp++] = m - 1;
      stack[sp++] = 1 - axis;
    }
    if (axis === 0 ? maxX >= x : maxY >= y) {
      stack[sp++] = m + 1;
      stack[sp++] = right;
      stack[sp++] = 1 - axis;
    }
  }
  return count;
}
