// A brute-force model of pole-mode viability, written apart from the core: an unbounded Dijkstra
// over every pole (a plain scan of the open set for its minimum; no heap, no CSR, no bound), then
// every box judged by the radius oracle's rules. The core's bounded search must agree with it
// exactly: lengths are whole centimetres (each span and each access distance rounded once), so
// route lengths are exact sums on both sides.
import {
  haversineMeters,
  offeredPorts,
  regionContains,
  roundDistance,
  type CompiledRegion,
  type PoleQuery,
  type PoleRefusalReason,
  type RefusalReason,
} from '../../src/viability/index.js';
import type { OracleBox } from './oracle.js';

export interface OraclePole {
  id: string;
  lat: number;
  lng: number;
}

export interface OracleSpan {
  from: string;
  to: string;
  length: number | null;
}

export interface OraclePoleBox extends OracleBox {
  /** The pole the box hangs on; undefined: none. */
  pole?: string;
  maxDrop?: number | null;
}

export interface OracleAnswer {
  boxes: Array<{
    id: string;
    distance: number;
    straightDistance: number;
    freePorts: number;
    pole: string;
  }>;
  refused: Array<{
    id: string;
    distance: number;
    straightDistance: number;
    reason: PoleRefusalReason;
    routeLength: number | null;
  }>;
  startPoles: number;
  /** Before maxBoxes / maxRefused. */
  viableTotal: number;
  refusedTotal: number;
  /** Shortest route to every reachable pole, whole cm. */
  dist: Map<string, number>;
  /** Whole cm from the customer to each start pole. */
  startCm: Map<string, number>;
}

/** Centimetres of one span, as the model defines them. */
export function spanCm(span: OracleSpan, poles: Map<string, OraclePole>): number {
  if (span.length !== null) return Math.round(span.length * 100);
  const a = poles.get(span.from)!;
  const b = poles.get(span.to)!;
  return Math.round(haversineMeters(a.lat, a.lng, b.lat, b.lng) * 100);
}

export function bruteForcePoles(
  poleList: readonly OraclePole[],
  spans: readonly OracleSpan[],
  boxes: readonly OraclePoleBox[],
  regions: readonly CompiledRegion[],
  q: PoleQuery,
): OracleAnswer {
  const poles = new Map(poleList.map((p) => [p.id, p]));
  const edges = new Map<string, Array<[string, number]>>();
  for (const span of spans) {
    if (span.from === span.to) continue;
    const cm = spanCm(span, poles);
    (edges.get(span.from) ?? edges.set(span.from, []).get(span.from)!).push([span.to, cm]);
    (edges.get(span.to) ?? edges.set(span.to, []).get(span.to)!).push([span.from, cm]);
  }
  const dist = new Map<string, number>();
  const startCm = new Map<string, number>();
  for (const p of poleList) {
    const d = haversineMeters(q.lat, q.lng, p.lat, p.lng);
    if (d <= q.accessDistance) {
      startCm.set(p.id, Math.round(d * 100));
      dist.set(p.id, Math.round(d * 100));
    }
  }
  const open = new Set(dist.keys());
  const done = new Set<string>();
  while (open.size > 0) {
    let best: string | undefined;
    for (const id of open) if (best === undefined || dist.get(id)! < dist.get(best)!) best = id;
    open.delete(best!);
    done.add(best!);
    for (const [to, cm] of edges.get(best!) ?? []) {
      if (done.has(to)) continue;
      const nd = dist.get(best!)! + cm;
      if (!dist.has(to) || nd < dist.get(to)!) {
        dist.set(to, nd);
        open.add(to);
      }
    }
  }

  const cap = q.capDropLength ?? Infinity;
  const tags = q.tags ?? [];
  const tagged = regions.filter((r) => tags.some((t) => r.tags.has(t)));
  const reasonOf = (box: OracleBox): RefusalReason | undefined => {
    if (box.draft) return 'draft';
    if (!box.hasDropSplitter) return 'no_drop_splitter';
    if (offeredPorts(box, q.ports) <= 0) return 'no_free_port';
    if (tags.length === 0) return undefined;
    return tagged.some((r) => regionContains(r, box.lat, box.lng)) ? undefined : 'outside_region';
  };
  const answer: OracleAnswer = {
    boxes: [],
    refused: [],
    startPoles: startCm.size,
    viableTotal: 0,
    refusedTotal: 0,
    dist,
    startCm,
  };
  for (const box of boxes) {
    const straight = roundDistance(haversineMeters(q.lat, q.lng, box.lat, box.lng));
    const route = box.pole !== undefined ? dist.get(box.pole) : undefined;
    const limit = Math.min(cap, box.maxDrop ?? q.maxDropLength);
    const reason = reasonOf(box);
    if (route !== undefined && route <= limit * 100) {
      const distance = route / 100;
      if (reason === undefined) {
        answer.boxes.push({
          id: box.id,
          distance,
          straightDistance: straight,
          freePorts: offeredPorts(box, q.ports),
          pole: box.pole!,
        });
      } else {
        answer.refused.push({
          id: box.id,
          distance,
          straightDistance: straight,
          reason,
          routeLength: distance,
        });
      }
    } else if (haversineMeters(q.lat, q.lng, box.lat, box.lng) <= q.radius) {
      answer.refused.push({
        id: box.id,
        distance: straight,
        straightDistance: straight,
        reason: reason ?? 'route_too_long',
        routeLength: null,
      });
    }
  }
  const order = (a: { id: string; distance: number }, b: { id: string; distance: number }) =>
    Math.round(a.distance * 100) - Math.round(b.distance * 100) || (a.id < b.id ? -1 : 1);
  answer.boxes.sort(order);
  answer.refused.sort(order);
  answer.viableTotal = answer.boxes.length;
  answer.refusedTotal = answer.refused.length;
  answer.boxes = answer.boxes.slice(0, q.maxBoxes ?? Infinity);
  answer.refused = answer.refused.slice(0, q.maxRefused ?? Infinity);
  return answer;
}
