// A brute-force model of the viability rules, written independently of the index: it scans every
// box, so it cannot miss one, and it is what the index must agree with exactly.
import {
  haversineMeters,
  offeredPorts,
  regionContains,
  roundDistance,
  type CompiledRegion,
  type RefusalReason,
  type ViabilityQuery,
  type ViabilityResult,
} from '../../src/viability/index.js';

export interface OracleBox {
  id: string;
  lat: number;
  lng: number;
  draft: boolean;
  hasDropSplitter: boolean;
  freePorts: number;
  blockedPorts?: number;
  vacantPorts?: number;
  blockedVacantPorts?: number;
}

export function bruteForce(
  boxes: Iterable<OracleBox>,
  regions: readonly CompiledRegion[],
  q: ViabilityQuery,
): ViabilityResult {
  const tags = q.tags ?? [];
  const inRadius: Array<{ box: OracleBox; distance: number }> = [];
  for (const box of boxes) {
    const d = haversineMeters(q.lat, q.lng, box.lat, box.lng);
    if (d <= q.radius) inRadius.push({ box, distance: roundDistance(d) });
  }
  inRadius.sort((a, b) => a.distance - b.distance || (a.box.id < b.box.id ? -1 : 1));
  const reasonOf = (box: OracleBox): RefusalReason | undefined => {
    if (box.draft) return 'draft';
    if (!box.hasDropSplitter) return 'no_drop_splitter';
    if (offeredPorts(box, q.ports) <= 0) return 'no_free_port';
    if (tags.length === 0) return undefined;
    const tagged = regions.filter((r) => tags.some((t) => r.tags.has(t)));
    return tagged.some((r) => regionContains(r, box.lat, box.lng)) ? undefined : 'outside_region';
  };
  const result: ViabilityResult = { boxes: [], refused: [] };
  for (const { box, distance } of inRadius) {
    const reason = reasonOf(box);
    if (reason === undefined) {
      result.boxes.push({ id: box.id, distance, freePorts: offeredPorts(box, q.ports) });
    } else result.refused.push({ id: box.id, distance, reason });
  }
  result.boxes = result.boxes.slice(0, q.maxBoxes ?? Infinity);
  result.refused = result.refused.slice(0, q.maxRefused ?? Infinity);
  return result;
}

/** Deterministic PRNG (mulberry32), shared with the demo network, so runs reproduce. */
export { mulberry32 as random } from '../../src/ozmap-model/demo-network/prng.js';
