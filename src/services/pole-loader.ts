import { dbProvider, type Db } from '../ozmap-model/db/client.js';
import { withRawSession } from '../ozmap-model/db/raw.js';
import type { PoleBoxInput, PoleColumns, PoleInput, SpanInput } from '../viability/index.js';

// Pole ids in code-unit order on both databases (PostgreSQL's default collation may differ).
const ORDER = { sqlite: 'ORDER BY "id"', postgresql: 'ORDER BY "id" COLLATE "C"' } as const;

const PAGE = 20_000;

/**
 * The whole pole network as PoleGraph columns, read with plain SQL in one read-only snapshot on a
 * connection of its own, page by page straight into typed arrays (no object per row: 1 500 000
 * poles and their spans stay close to the graph's own size): poles in id order, and the spans
 * and boxes with their poles already numbered by the database (a window function over the same
 * order), so no id is looked up in JavaScript. A project's maximum drop size of 0 or null means
 * "not set" (OZmap shows 0 for projects that set none).
 */
export async function loadPoleColumns(db: Db): Promise<PoleColumns> {
  return withRawSession(db, 'read', async (s) => {
    const order = ORDER[s.provider === 'postgresql' ? 'postgresql' : 'sqlite'];
    const count = async (table: string) =>
      Number(((await s.all(`SELECT COUNT(*) FROM "${table}"`)) as [[unknown]])[0][0]);
    const numbered = `WITH p AS (SELECT "id", ROW_NUMBER() OVER (${order}) - 1 AS n FROM "Pole")`;

    const ids: string[] = [];
    let lat = new Float64Array(await count('Pole'));
    let lng = new Float64Array(lat.length);
    for await (const page of s.pages(`SELECT "id", "lat", "lng" FROM "Pole" ${order}`, [], PAGE)) {
      for (const [id, la, ln] of page) {
        const k = ids.push(id as string) - 1;
        if (k >= lat.length) [lat, lng] = [grow(lat, k), grow(lng, k)];
        lat[k] = Number(la);
        lng[k] = Number(ln);
      }
    }

    let spanFrom = new Int32Array(await count('Span'));
    let spanTo = new Int32Array(spanFrom.length);
    let spanLength = new Float64Array(spanFrom.length);
    let spans = 0;
    for await (const page of s.pages(
      `${numbered} SELECT a.n, b.n, s."length" FROM "Span" s
         JOIN p a ON a."id" = s."poleAId" JOIN p b ON b."id" = s."poleBId"`,
      [],
      PAGE,
    )) {
      for (const [a, b, length] of page) {
        if (spans >= spanFrom.length) {
          [spanFrom, spanTo, spanLength] = [
            grow(spanFrom, spans),
            grow(spanTo, spans),
            grow(spanLength, spans),
          ];
        }
        spanFrom[spans] = Number(a);
        spanTo[spans] = Number(b);
        spanLength[spans++] = length === null || length === undefined ? NaN : Number(length);
      }
    }

    const boxIds: string[] = [];
    let boxPole = new Int32Array(await count('Box'));
    let boxMaxDrop = new Float64Array(boxPole.length);
    for await (const page of s.pages(
      `${numbered} SELECT x."id", p.n, pr."dropMaxSize" FROM "Box" x
         JOIN p ON p."id" = x."poleId" JOIN "Project" pr ON pr."id" = x."projectId"`,
      [],
      PAGE,
    )) {
      for (const [id, pole, maxDrop] of page) {
        const k = boxIds.push(id as string) - 1;
        if (k >= boxPole.length) [boxPole, boxMaxDrop] = [grow(boxPole, k), grow(boxMaxDrop, k)];
        boxPole[k] = Number(pole);
        boxMaxDrop[k] = dropLimit(maxDrop === null ? null : Number(maxDrop)) ?? NaN;
      }
    }
    return {
      ids,
      lat: lat.subarray(0, ids.length),
      lng: lng.subarray(0, ids.length),
      spanFrom: spanFrom.subarray(0, spans),
      spanTo: spanTo.subarray(0, spans),
      spanLength: spanLength.subarray(0, spans),
      boxIds,
      boxPole: boxPole.subarray(0, boxIds.length),
      boxMaxDrop: boxMaxDrop.subarray(0, boxIds.length),
    };
  });
}

/** A copy of `a` with room past index `k` (rows committed between a count and the snapshot). */
function grow<T extends Int32Array | Float64Array>(a: T, k: number): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(1024, (k + 1) * 2));
  b.set(a);
  return b;
}

/** What changed around some poles: each pole (or its absence), every span touching them, their boxes. */
export interface PoleNeighbourhood {
  poles: PoleInput[];
  missing: string[];
  spans: SpanInput[];
  boxes: Map<string, PoleBoxInput[]>;
}

export async function loadPoleNeighbourhood(
  db: Db,
  poleIds: readonly string[],
): Promise<PoleNeighbourhood> {
  return db.$transaction(async (tx) => {
    const poles = await tx.pole.findMany({
      where: { id: { in: [...poleIds] } },
      select: { id: true, lat: true, lng: true },
    });
    const spans = await tx.span.findMany({
      where: { OR: [{ poleAId: { in: [...poleIds] } }, { poleBId: { in: [...poleIds] } }] },
      select: { poleAId: true, poleBId: true, length: true },
    });
    const boxes = await tx.box.findMany({
      where: { poleId: { in: [...poleIds] } },
      select: { id: true, poleId: true, project: { select: { dropMaxSize: true } } },
      orderBy: { id: 'asc' },
    });
    const found = new Set(poles.map((p) => p.id));
    const byPole = new Map<string, PoleBoxInput[]>(poleIds.map((id) => [id, []]));
    for (const b of boxes) {
      byPole.get(b.poleId!)?.push({ id: b.id, maxDrop: dropLimit(b.project.dropMaxSize) });
    }
    return {
      poles,
      missing: poleIds.filter((id) => !found.has(id)),
      spans: spans.map((s) => ({ from: s.poleAId, to: s.poleBId, length: s.length })),
      boxes: byPole,
    };
  }, snapshot(db));
}

/** Poles by id (to add endpoints the graph does not know yet). */
export async function loadPoles(db: Db, ids: readonly string[]): Promise<PoleInput[]> {
  return db.pole.findMany({
    where: { id: { in: [...ids] } },
    select: { id: true, lat: true, lng: true },
  });
}

function dropLimit(size: number | null): number | undefined {
  return size !== null && size > 0 ? size : undefined;
}

// One snapshot for every read of the transaction. SQLite transactions are serializable already
// (and Prisma refuses other levels there); the Db type is the SQLite client's, hence the cast.
function snapshot(db: Db): { isolationLevel?: 'Serializable' } {
  return dbProvider(db) === 'postgresql'
    ? ({ isolationLevel: 'RepeatableRead' } as unknown as { isolationLevel: 'Serializable' })
    : {};
}
