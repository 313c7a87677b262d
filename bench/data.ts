// Deterministic benchmark data: boxes in dense clusters around Brazilian cities.
import type { BoxInput } from '../src/viability/index.js';
import { mulberry32 as random } from '../src/ozmap-model/demo-network/prng.js';

/** [name, lat, lng, share of the boxes, spread (standard deviation) in km]. */
export const CITIES: Array<[string, number, number, number, number]> = [
  ['São Paulo', -23.5505, -46.6333, 0.24, 7],
  ['Rio de Janeiro', -22.9068, -43.1729, 0.14, 6],
  ['Belo Horizonte', -19.9167, -43.9345, 0.08, 4],
  ['Curitiba', -25.4284, -49.2733, 0.08, 4],
  ['Porto Alegre', -30.0346, -51.2177, 0.07, 4],
  ['Recife', -8.0476, -34.877, 0.07, 3.5],
  ['Salvador', -12.9777, -38.5016, 0.08, 4],
  ['Fortaleza', -3.7319, -38.5267, 0.08, 4],
  ['Florianópolis', -27.5954, -48.548, 0.05, 3],
  ['Maringá', -23.4253, -51.9386, 0.04, 2.5],
  ['Campinas', -22.9099, -47.0626, 0.04, 3],
  ['Goiânia', -16.6869, -49.2648, 0.03, 3],
];

/** Deterministic PRNG (mulberry32), shared with the demo network, so runs reproduce. */
export { random };

function gaussian(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(rnd() || Number.MIN_VALUE)) * Math.cos(2 * Math.PI * rnd());
}

/** A point near a city picked by share, spread normally around its centre. */
export function pointNearCities(rnd: () => number): [number, number] {
  let pick = rnd();
  let city = CITIES[0]!;
  for (const c of CITIES) {
    city = c;
    if ((pick -= c[3]) <= 0) break;
  }
  const [, lat, lng, , spreadKm] = city;
  const dLat = (gaussian(rnd) * spreadKm) / 111.32;
  const dLng = (gaussian(rnd) * spreadKm) / (111.32 * Math.cos((lat * Math.PI) / 180));
  return [lat + dLat, lng + dLng];
}

/** 24-hex id for box `i`, as a flat string (what a database driver hands over). */
export function boxId(i: number): string {
  return Buffer.from(i.toString(16).padStart(24, '0'), 'latin1').toString('latin1');
}

export interface Dataset {
  boxes: BoxInput[];
  lat: Float64Array;
  lng: Float64Array;
  queries: Array<[number, number]>;
}

/** `count` boxes with mixed availability, and `queryCount` customer points near the clusters. */
export function makeDataset(count: number, queryCount: number, seed: number): Dataset {
  const rnd = random(seed);
  const lat = new Float64Array(count);
  const lng = new Float64Array(count);
  const boxes: BoxInput[] = [];
  for (let i = 0; i < count; i++) {
    const [la, ln] = pointNearCities(rnd);
    lat[i] = la;
    lng[i] = ln;
    const roll = rnd();
    boxes.push({
      id: boxId(i),
      lat: la,
      lng: ln,
      draft: roll < 0.05,
      hasDropSplitter: roll > 0.12,
      freePorts: roll < 0.3 ? 0 : Math.floor(rnd() * 16) + 1,
    });
  }
  const queries = Array.from({ length: queryCount }, () => pointNearCities(rnd));
  return { boxes, lat, lng, queries };
}
