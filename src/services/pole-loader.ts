import { dbProvider, type Db } from '../ozmap-model/db/client.js';
import type { PoleBoxInput, PoleColumns, PoleInput, SpanInput } from '../viability/index.js';

// Pole ids in code-unit order on both databases (PostgreSQL's default collation may differ).
const ORDER = { sqlite: 'ORDER BY "id"', postgresql: 'ORDER BY "id" COLLATE "C"' } as const;

interface PoleRow {
  id: string;
  lat: number;
  lng: number;
}
interface NumberedRow {
  a: number | bigint;
  b: number | bigint;
  length: number | null;
}
interface BoxRow {
  id: string;
  pole: number | bigint;
  maxDrop: number | null;
}

/**
 * The whole pole network as PoleGraph columns, read in one snapshot: poles in id order, and the
 * spans and boxes with their poles already numbered by the database (a window function over the
 * same order), so no id is looked up in JavaScript. A project's maximum drop size of 0 or null
 * means "not set" (OZmap shows 0 for projects that set none).
 */
export async function loadPoleColumns(db: Db): Promise<PoleColumns> {
  const order = ORDER[dbProvider(db)];
  const numbered = `WITH p AS (SELECT "id", ROW_NUMBER() OVER (${order}) - 1 AS n FROM "Pole")`;
  const { poles, spans, boxes } = await db.$transaction(
    async (tx) => ({
      poles: await tx.$queryRawUnsafe<PoleRow[]>(`SELECT "id", "lat", "lng" FROM "Pole" ${order}`),
      spans: await tx.$queryRawUnsafe<NumberedRow[]>(
        `${numbered} SELECT a.n AS a, b.n AS b, s."length" AS length FROM "Span" s
           JOIN p a ON a."id" = s."poleAId" JOIN p b ON b."id" = s."poleBId"`,
      ),
      boxes: await tx.$queryRawUnsafe<BoxRow[]>(
        `${numbered} SELECT x."id" AS id, p.n AS pole, pr."dropMaxSize" AS "maxDrop" FROM "Box" x
           JOIN p ON p."id" = x."poleId" JOIN "Project" pr ON pr."id" = x."projectId"`,
      ),
    }),
    // One consistent read, however long a million rows take.
    { timeout: 600_000, maxWait: 60_000, ...snapshot(db) },
  );
  return {
    ids: poles.map((p) => p.id),
    lat: Float64Array.from(poles, (p) => p.lat),
    lng: Float64Array.from(poles, (p) => p.lng),
    spanFrom: Int32Array.from(spans, (s) => Number(s.a)),
    spanTo: Int32Array.from(spans, (s) => Number(s.b)),
    spanLength: Float64Array.from(spans, (s) => s.length ?? NaN),
    boxIds: boxes.map((b) => b.id),
    boxPole: Int32Array.from(boxes, (b) => Number(b.pole)),
    boxMaxDrop: Float64Array.from(boxes, (b) => dropLimit(b.maxDrop) ?? NaN),
  };
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
