// The methods the benchmark compares. Each builds over the same boxes and answers "which boxes
// are within r metres of this point"; `indices` turns an answer into box numbers for the
// cross-check (outside the timed part).
import KDBush from 'kdbush';
import {
  ViabilityIndex,
  boundingBoxes,
  haversineMeters,
  type ViabilityResult,
} from '../src/viability/index.js';
import type { Dataset } from './data.js';

export interface BuildStats {
  ms: number;
  cpuMs: number;
  /** Bytes the structure holds (JS heap delta after GC, or the server's own figure). */
  memoryBytes: number;
}

export interface Method<R = unknown> {
  name: string;
  build(data: Dataset): Promise<BuildStats>;
  query(lat: number, lng: number, radius: number): R | Promise<R>;
  indices(result: R): number[];
  /** Queries to time (the naive scan gets fewer at large sizes). */
  queryLimit?(size: number): number;
  close?(): Promise<void>;
}

/** Wall and CPU time and JS memory of a synchronous build. Needs node --expose-gc. */
export async function measureBuild(
  build: () => unknown,
): Promise<{ stats: BuildStats; value: unknown }> {
  await settle();
  const before = heapBytes();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = build();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await settle();
  return {
    stats: { ms, cpuMs: (used.user + used.system) / 1000, memoryBytes: heapBytes() - before },
    value,
  };
}

// Full collections, with turns of the event loop in between so freed ArrayBuffers are released.
async function settle(): Promise<void> {
  const gc = globalThis.gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** (a) Our core: full rules and availability, sorted, with refusal reasons. */
export function coreMethod(): Method<ViabilityResult> {
  let index: ViabilityIndex | undefined;
  return {
    name: 'core (rules + availability)',
    async build(data) {
      const { stats, value } = await measureBuild(() => ViabilityIndex.build(data.boxes));
      index = value as ViabilityIndex;
      return stats;
    },
    query: (lat, lng, radius) => index!.query({ lat, lng, radius }),
    indices: (r) => [...r.boxes, ...r.refused].map((b) => parseInt(b.id, 16)),
  };
}

/** (b) The reference: kdbush range() over the degree rectangle, then a haversine filter. */
export function kdbushMethod(): Method<number[]> {
  let tree: KDBush | undefined;
  let lat: Float64Array;
  let lng: Float64Array;
  return {
    name: 'bare kdbush range + haversine',
    async build(data) {
      ({ lat, lng } = data);
      const { stats, value } = await measureBuild(() => {
        const t = new KDBush(data.lat.length);
        for (let i = 0; i < data.lat.length; i++) t.add(data.lng[i]!, data.lat[i]!);
        return t.finish();
      });
      tree = value as KDBush;
      return stats;
    },
    query(qLat, qLng, radius) {
      const found: number[] = [];
      for (const [w, s, e, n] of boundingBoxes(qLat, qLng, radius)) {
        for (const i of tree!.range(w, s, e, n)) {
          if (haversineMeters(qLat, qLng, lat[i]!, lng[i]!) <= radius) found.push(i);
        }
      }
      return found;
    },
    indices: (r) => r,
  };
}

/** (c) Naive: haversine against every box. */
export function naiveMethod(): Method<number[]> {
  let lat: Float64Array;
  let lng: Float64Array;
  return {
    name: 'naive linear scan',
    build(data) {
      ({ lat, lng } = data);
      return Promise.resolve({ ms: 0, cpuMs: 0, memoryBytes: 0 });
    },
    query(qLat, qLng, radius) {
      const found: number[] = [];
      for (let i = 0; i < lat.length; i++) {
        if (haversineMeters(qLat, qLng, lat[i]!, lng[i]!) <= radius) found.push(i);
      }
      return found;
    },
    indices: (r) => r,
    // About 2e8 distance computations per size, so the 1M run stays bounded.
    queryLimit: (size) => Math.max(50, Math.floor(2e8 / size)),
  };
}
