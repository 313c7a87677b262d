import type { PortPolicy } from './availability.js';
import { ViabilityInputError, show } from './errors.js';
import { assertLatLng, assertRadius, haversineMeters, roundDistance } from './geodesy.js';
import { MAX_ROUTE_METERS, type PoleGraph } from './pole-graph.js';
import { checkLimit, checkTags } from './validate.js';
import type { BoxVerdict, RefusalReason, ViabilityIndex, ViableBox } from './viability-index.js';

/** A pole-mode viability question (OZmap's "viabilidade por postes"). */
export interface PoleQuery {
  lat: number;
  lng: number;
  /** Poles within this many metres (straight line) of the customer start the drop. OZmap: 100. */
  accessDistance: number;
  /** The longest drop (metres, access included) for boxes whose project sets none. */
  maxDropLength: number;
  /** When set, no drop may be longer than this, whatever the box's project allows (metres). */
  capDropLength?: number;
  /**
   * Boxes within this straight-line radius that no route reaches within their limit are listed
   * as refused (`route_too_long`), so the seller sees them and why.
   */
  radius: number;
  tags?: readonly string[];
  maxBoxes?: number;
  maxRefused?: number;
  ports?: PortPolicy;
  /** Return each viable box's route (the poles the drop passes). */
  routes?: boolean;
}

/** Why a box is refused in pole mode: the radius rules, plus "no route within the drop limit". */
export type PoleRefusalReason = RefusalReason | 'route_too_long';

export interface PoleRoute {
  /** Pole ids from the pole nearest the customer's side to the box's pole. */
  poles: string[];
  /** Their positions, [lng, lat]. */
  coordinates: Array<[number, number]>;
}

export interface PoleViableBox extends ViableBox {
  /** Drop length in metres along the poles (access from the customer included). */
  distance: number;
  /** Straight-line metres from the customer to the box, rounded to 0.01. */
  straightDistance: number;
  /** The box's pole. */
  pole: string;
  route?: PoleRoute;
}

export interface PoleRefusedBox {
  id: string;
  /** The drop length when a route reaches the box within its limit, else the straight line. */
  distance: number;
  straightDistance: number;
  reason: PoleRefusalReason;
  /** The drop length, or null when no route reaches the box within its limit. */
  routeLength: number | null;
}

export interface PoleResult {
  /** Viable boxes, by drop length, then id. */
  boxes: PoleViableBox[];
  /** Refused boxes, by `distance`, then id. */
  refused: PoleRefusedBox[];
  /** Poles within the access distance (0: no pole near the customer, so no route at all). */
  startPoles: number;
  /** Viable boxes before maxBoxes (the search stops early when refusals are not wanted: then a lower bound). */
  viableTotal: number;
  /** Refused boxes before maxRefused (0 when refusals are not wanted). */
  refusedTotal: number;
}

// Scratch reused across queries (searches are synchronous and never nest): which index slots the
// current query reached (stamped with its number), and those of boxes the graph could not link.
let reachedAt = new Uint32Array(0);
let queryNumber = 0;
const reachedIds = new Set<string>();
const verdict: BoxVerdict = { lat: 0, lng: 0, freePorts: 0, reason: undefined };

/**
 * Pole-mode viability: the boxes a drop can reach along the pole network from the poles near the
 * customer, nearest by drop length, with the same rules as radius mode (draft, drop splitter,
 * free ports, plan regions) applied by `index`. A box is reached when its route is within its own
 * limit (`maxDrop` in the graph, else `maxDropLength`) and within `capDropLength`. Exact: see
 * test/viability/pole-oracle.test.ts. Validates the query (ViabilityInputError).
 */
export function queryByPoles(index: ViabilityIndex, graph: PoleGraph, q: PoleQuery): PoleResult {
  if (typeof q !== 'object' || q === null) {
    throw new ViabilityInputError(`query must be an object, got ${show(q)}`);
  }
  assertLatLng(q.lat, q.lng);
  assertRadius(q.radius);
  const maxBoxes = checkLimit(q.maxBoxes, 'maxBoxes');
  const maxRefused = checkLimit(q.maxRefused, 'maxRefused');
  const tags = checkTags(q.tags);
  const cap = metres(q.capDropLength ?? MAX_ROUTE_METERS, 'capDropLength');
  metres(q.maxDropLength, 'maxDropLength');
  metres(q.accessDistance, 'accessDistance');
  if (!graph.isLinkedTo(index)) graph.link(index);
  const regions = index.regionsWithTags(tags);
  const policy = q.ports;
  const wantRefused = maxRefused > 0;
  const boxes: PoleViableBox[] = [];
  const refused: PoleRefusedBox[] = [];
  let lastViableCm = -1;
  let viableDone = false;
  let viableBeyond = 0; // viable boxes past maxBoxes, counted but not built
  if (reachedAt.length < index.slotLimit) reachedAt = new Uint32Array(index.slotLimit * 2 + 64);
  const mark = nextQueryNumber();
  reachedIds.clear();

  graph.search(
    {
      lat: q.lat,
      lng: q.lng,
      accessDistance: q.accessDistance,
      maxLength: Math.min(cap, Math.max(q.maxDropLength, graph.largestBoxLimit)),
    },
    Math.min(cap, q.maxDropLength),
    (id, slot, cm, pole) => {
      // Enough viable boxes, and no later one can tie with the last: stop unless refusals count.
      if (viableDone && cm > lastViableCm) {
        if (!wantRefused) return false;
      }
      if (slot >= 0) {
        if (!index.judgeSlot(slot, regions, policy, verdict)) return true;
        if (slot < reachedAt.length) reachedAt[slot] = mark;
      } else {
        if (!index.judge(id, regions, policy, verdict)) return true;
        reachedIds.add(id);
      }
      const straight = roundDistance(haversineMeters(q.lat, q.lng, verdict.lat, verdict.lng));
      const distance = cm / 100;
      if (verdict.reason !== undefined) {
        if (wantRefused) {
          refused.push({
            id,
            distance,
            straightDistance: straight,
            reason: verdict.reason,
            routeLength: distance,
          });
        }
        return true;
      }
      if (viableDone && cm > lastViableCm) {
        viableBeyond++;
        return true;
      }
      const viable: PoleViableBox = {
        id,
        distance,
        straightDistance: straight,
        freePorts: verdict.freePorts,
        pole: graph.idAt(pole),
      };
      if (q.routes) viable.route = graph.routeTo(pole);
      boxes.push(viable);
      lastViableCm = cm;
      if (boxes.length >= maxBoxes) viableDone = true;
      return true;
    },
  );

  if (wantRefused) {
    // Boxes in the straight-line radius that no route reached in time.
    const near = index.within(q.lat, q.lng, q.radius);
    for (let k = 0; k < near.count; k++) {
      const slot = near.slots[k]!;
      if (reachedAt[slot] === mark) continue;
      const id = index.idAt(slot);
      if (reachedIds.size > 0 && reachedIds.has(id)) continue;
      index.judgeSlot(slot, regions, policy, verdict);
      refused.push(unrouted(id, roundDistance(near.dist[k]!), verdict.reason ?? 'route_too_long'));
    }
  }
  sortByDistance(boxes);
  sortByDistance(refused);
  const viableTotal = boxes.length + viableBeyond;
  const refusedTotal = refused.length;
  if (boxes.length > maxBoxes) boxes.length = maxBoxes;
  if (refused.length > maxRefused) refused.length = maxRefused;
  return { boxes, refused, startPoles: graph.lastStartCount, viableTotal, refusedTotal };
}

function nextQueryNumber(): number {
  queryNumber = (queryNumber + 1) >>> 0;
  if (queryNumber === 0) {
    reachedAt.fill(0); // wrapped around after 2^32 queries: start the stamps afresh
    queryNumber = 1;
  }
  return queryNumber;
}

function metres(value: unknown, name: string): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    value > MAX_ROUTE_METERS
  ) {
    throw new ViabilityInputError(
      `${name} must be a number of metres from 0 to ${MAX_ROUTE_METERS}, got ${show(value)}`,
      name,
    );
  }
  return value;
}

function unrouted(id: string, straight: number, reason: PoleRefusalReason): PoleRefusedBox {
  return { id, distance: straight, straightDistance: straight, reason, routeLength: null };
}

// By centimetre distance, then id (the viable list is nearly sorted already: the search emits by
// route length, so only runs of equal length move).
function sortByDistance(list: Array<{ id: string; distance: number }>): void {
  list.sort((a, b) => {
    const d = Math.round(a.distance * 100) - Math.round(b.distance * 100);
    return d !== 0 ? d : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}
