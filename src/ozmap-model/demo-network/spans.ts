import type { Spot, StreetGrid } from './generate.js';
import type { DemoSpan } from './types.js';

/** Around a crossing, the poles of the two streets nearest it are joined when both are this close. */
const CORNER_REACH = 150;
/** The sidewalk-to-sidewalk hops a corner span adds to its two legs (metres). */
const CORNER_EXTRA = 16;

/**
 * The cable spans of the demo network (pole-mode viability): each street's poles joined in
 * order along it, and at every crossing the poles of the two streets nearest it, with the
 * length of the way round the corner (the two legs, not the diagonal). `spots[b]` is where box
 * b and its pole `poleIds[b]` stand. Deterministic: no random draws, so the boxes stay the same.
 */
export function demoSpans(
  spots: readonly Spot[],
  poleIds: readonly string[],
  grid: StreetGrid,
  projectId: string,
  idOf: (n: number) => string,
  nameOf: (n: number) => string,
): DemoSpan[] {
  const spans: DemoSpan[] = [];
  const add = (a: number, b: number, length: number | null) => {
    const n = spans.length;
    spans.push({
      id: idOf(n),
      name: nameOf(n),
      projectId,
      poleAId: poleIds[a]!,
      poleBId: poleIds[b]!,
      length,
      cable: null,
    });
  };
  const byStreet = new Map<number, number[]>();
  spots.forEach((spot, b) => {
    const list = byStreet.get(spot.line);
    if (list) list.push(b);
    else byStreet.set(spot.line, [b]);
  });
  for (const list of byStreet.values()) {
    list.sort((a, b) => spots[a]!.along - spots[b]!.along);
    // Along the street: the great circle between neighbours (the cable runs straight).
    for (let k = 1; k < list.length; k++) add(list[k - 1]!, list[k]!, null);
  }
  const nearest = (street: number, at: (s: Spot) => number) => {
    let best = -1;
    let bestGap = Infinity;
    for (const b of byStreet.get(street) ?? []) {
      const gap = Math.abs(at(spots[b]!));
      if (gap < bestGap) [best, bestGap] = [b, gap];
    }
    return { box: best, gap: bestGap };
  };
  const lines = grid.eastWest.length;
  for (const [i, ew] of grid.eastWest.entries()) {
    for (const [j, ns] of grid.northSouth.entries()) {
      const a = nearest(i, (s) => s.x - ns.x);
      const b = nearest(lines + j, (s) => s.y - ew.y);
      if (a.box < 0 || b.box < 0 || a.gap > CORNER_REACH || b.gap > CORNER_REACH) continue;
      add(a.box, b.box, Math.round((a.gap + b.gap + CORNER_EXTRA) * 100) / 100);
    }
  }
  return spans;
}
