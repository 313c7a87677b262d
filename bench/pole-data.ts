// Deterministic pole-network benchmark data. Each of the radius benchmark's 12 cities gets a
// street grid (80 m blocks, a pole at every corner and one mid-block, ~40 m apart) over a disc
// sized to its share of the poles; one street in ten is missing (parks, rivers, private land),
// and the edge frays over a few hundred metres. Spans follow the streets from pole to pole, 2–10% longer than the
// straight line (sag, detours). Boxes hang on random poles; customers ask from near the network.
import { haversineMeters, type BoxInput } from '../src/viability/index.js';
import { CITIES, boxId, random } from './data.js';

export interface PoleDataset {
  /** Sorted (as the database's ORDER BY id returns them). */
  poleIds: string[];
  poleLat: Float64Array;
  poleLng: Float64Array;
  /** Spans as pole numbers (into poleIds) and lengths in metres. */
  spanFrom: Int32Array;
  spanTo: Int32Array;
  spanLength: Float64Array;
  boxes: BoxInput[];
  /** The pole number each box hangs on. */
  boxPole: Int32Array;
  queries: Array<[number, number]>;
}

const BLOCK_M = 80;
const EDGE_M = 150;
const M_PER_DEG = 111_320;

export function poleId(i: number): string {
  return Buffer.from(`f${i.toString(16).padStart(23, '0')}`, 'latin1').toString('latin1');
}

export function makePoleDataset(
  poleCount: number,
  boxCount: number,
  queryCount: number,
  seed: number,
): PoleDataset {
  const rnd = random(seed);
  const lat: number[] = [];
  const lng: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const jitter = () => (rnd() - 0.5) * 8; // metres

  for (const [, cLat, cLng, share] of CITIES) {
    const quota = poleCount * share;
    // Streets ≈ 2πR²/b² (90% kept), ~1.5 poles per street: R for the city's share of the poles.
    // (the frayed edge adds ~5%: 0.95 brings the total back to poleCount)
    const radius = BLOCK_M * Math.sqrt((0.95 * quota) / (0.9 * 3 * Math.PI));
    const half = Math.ceil((radius + 2000) / BLOCK_M);
    const mLng = M_PER_DEG * Math.cos((cLat * Math.PI) / 180);
    const corner = new Map<number, number>();
    const at = (x: number, y: number, dx = 0, dy = 0) => {
      lat.push(cLat + (y * BLOCK_M + dy + jitter()) / M_PER_DEG);
      lng.push(cLng + (x * BLOCK_M + dx + jitter()) / mLng);
      return lat.length - 1;
    };
    const cornerPole = (x: number, y: number) => {
      const key = (x + half) * (2 * half + 2) + (y + half);
      let p = corner.get(key);
      if (p === undefined) corner.set(key, (p = at(x, y)));
      return p;
    };
    for (let x = -half; x < half; x++) {
      for (let y = -half; y < half; y++) {
        for (const [dx, dy] of [
          [1, 0],
          [0, 1],
        ] as const) {
          const r = Math.hypot((x + dx / 2) * BLOCK_M, (y + dy / 2) * BLOCK_M);
          const edge = 1 / (1 + Math.exp((r - radius) / EDGE_M));
          if (rnd() >= 0.9 * edge) continue;
          const a = cornerPole(x, y);
          const mid = at(x, y, (dx * BLOCK_M) / 2, (dy * BLOCK_M) / 2);
          const b = cornerPole(x + dx, y + dy);
          from.push(a, mid);
          to.push(mid, b);
        }
      }
    }
  }

  // Number poles by id order (what the loader reads), then renumber the spans to match.
  const n = lat.length;
  const order = Array.from({ length: n }, (_, i) => i);
  const renumber = new Int32Array(n);
  order.forEach((old, i) => (renumber[old] = i)); // ids poleId(i) are already in id order
  const spanLength = new Float64Array(from.length);
  for (let s = 0; s < from.length; s++) {
    const a = from[s]!;
    const b = to[s]!;
    const straight = haversineMeters(lat[a]!, lng[a]!, lat[b]!, lng[b]!);
    spanLength[s] = Math.round(straight * (1.02 + rnd() * 0.08) * 100) / 100;
  }

  const boxes: BoxInput[] = [];
  const boxPole = new Int32Array(boxCount);
  for (let b = 0; b < boxCount; b++) {
    const pole = Math.floor(rnd() * n);
    boxPole[b] = pole;
    const roll = rnd();
    boxes.push({
      id: boxId(b),
      // a box hangs a metre or two off its pole's point
      lat: lat[pole]! + (rnd() - 0.5) * 0.00002,
      lng: lng[pole]! + (rnd() - 0.5) * 0.00002,
      draft: roll < 0.05,
      hasDropSplitter: roll > 0.12,
      freePorts: roll < 0.3 ? 0 : Math.floor(rnd() * 16) + 1,
    });
  }
  // Customers ask from homes along the streets: within ~50 m of a random pole.
  const queries = Array.from({ length: queryCount }, (): [number, number] => {
    const pole = Math.floor(rnd() * n);
    const mLng = M_PER_DEG * Math.cos((lat[pole]! * Math.PI) / 180);
    return [
      lat[pole]! + ((rnd() - 0.5) * 100) / M_PER_DEG,
      lng[pole]! + ((rnd() - 0.5) * 100) / mLng,
    ];
  });
  return {
    poleIds: Array.from({ length: n }, (_, i) => poleId(i)),
    poleLat: Float64Array.from(lat),
    poleLng: Float64Array.from(lng),
    spanFrom: Int32Array.from(from, (p) => renumber[p]!),
    spanTo: Int32Array.from(to, (p) => renumber[p]!),
    spanLength,
    boxes,
    boxPole,
    queries,
  };
}
