// Candidates are ordered by distance rounded to the centimetre (what results show), then by box
// id, so equal distances come out in the same order whatever the index layout.
//
// Fast path: pack (distance in cm, candidate number) into one float64 key and let the engine's
// native numeric sort order them: no comparator calls, no allocation beyond one subarray view.
// Distances are at most half the circumference, 2.0016e9 cm < 2^31, and the candidate number
// takes INDEX_BITS bits, so keys stay below 2^53 and are exact integers.
export const INDEX_BITS = 22;
const INDEX_SPAN = 2 ** INDEX_BITS;

/**
 * Writes into `order[0..count)` the candidate numbers sorted by (cm distance, id). `keys` is
 * scratch space of at least `count` entries. Beyond `indexBits` bits of candidates it falls back
 * to a comparator sort (correct, slower; only for queries returning millions of boxes).
 */
export function orderCandidates(
  count: number,
  dist: Float64Array,
  slots: Int32Array,
  ids: readonly string[],
  keys: Float64Array,
  order: Int32Array,
  indexBits = INDEX_BITS,
): void {
  if (count <= SMALL) {
    insertionSort(count, dist, slots, ids, order);
    return;
  }
  const span = indexBits === INDEX_BITS ? INDEX_SPAN : 2 ** indexBits;
  if (count > span) {
    orderWithComparator(count, dist, slots, ids, order);
    return;
  }
  for (let i = 0; i < count; i++) keys[i] = Math.round(dist[i]! * 100) * span + i;
  keys.subarray(0, count).sort();

  let runStart = 0;
  let runCm = -1;
  for (let k = 0; k < count; k++) {
    const key = keys[k]!;
    const cm = Math.floor(key / span);
    order[k] = key - cm * span;
    if (cm !== runCm) {
      if (k - runStart > 1) sortRunById(order, runStart, k, slots, ids);
      runStart = k;
      runCm = cm;
    }
  }
  if (count - runStart > 1) sortRunById(order, runStart, count, slots, ids);
}

// Below this many candidates a plain insertion sort beats setting up the native sort.
const SMALL = 24;

function insertionSort(
  count: number,
  dist: Float64Array,
  slots: Int32Array,
  ids: readonly string[],
  order: Int32Array,
): void {
  for (let i = 0; i < count; i++) {
    const cm = Math.round(dist[i]! * 100);
    let j = i - 1;
    while (j >= 0) {
      const other = order[j]!;
      const otherCm = Math.round(dist[other]! * 100);
      if (otherCm < cm || (otherCm === cm && ids[slots[other]!]! < ids[slots[i]!]!)) break;
      order[j + 1] = other;
      j--;
    }
    order[j + 1] = i;
  }
}

// Runs of equal centimetre distances are short (usually one or two boxes): insertion sort.
function sortRunById(
  order: Int32Array,
  from: number,
  to: number,
  slots: Int32Array,
  ids: readonly string[],
): void {
  for (let i = from + 1; i < to; i++) {
    const c = order[i]!;
    const id = ids[slots[c]!]!;
    let j = i - 1;
    while (j >= from && ids[slots[order[j]!]!]! > id) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = c;
  }
}

function orderWithComparator(
  count: number,
  dist: Float64Array,
  slots: Int32Array,
  ids: readonly string[],
  order: Int32Array,
): void {
  const cm = (c: number) => Math.round(dist[c]! * 100);
  const all = Array.from({ length: count }, (_, i) => i);
  all.sort((a, b) => {
    const d = cm(a) - cm(b);
    if (d !== 0) return d;
    const ia = ids[slots[a]!]!;
    const ib = ids[slots[b]!]!;
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  });
  order.set(all);
}
