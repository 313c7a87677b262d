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
 * and boxes with their poles as numbers (no id is looked up in JavaScript). A project's maximum
 * drop size of 0 or null means "not set" (OZmap shows 0 for projects that set none).
 */
export async function loadPoleColumns(db: Db | string): Promise<PoleColumns> {
  return withRawSession(db, 'read', async (s) => {
    const order = ORDER[s.provider === 'postgresql' ? 'postgresql' : 'sqlite'];
    const count = async (table: string) =>
      Number(((await s.all(`SELECT COUNT(*) FROM "${table}"`)) as [[unknown]])[0][0]);
    const poleCount = await count('Pole');
    // SQLite: spans and boxes name their poles by rowid (an index lookup), numbered here from the
    // pole rows (a third faster at 1 000 000 poles than numbering in a window); when rowids are
    // sparse (many poles deleted), and on PostgreSQL, the database numbers them in a window.
    const maxRowid =
      s.provider === 'sqlite'
        ? Number(((await s.all('SELECT MAX(rowid) FROM "Pole"')) as [[unknown]])[0][0] ?? 0)
        : Infinity;
    const byRowid = maxRowid <= 4 * poleCount + 1024 ? new Int32Array(maxRowid + 1) : undefined;
    const numbered = byRowid
      ? ''
      : `WITH p AS (SELECT "id", ROW_NUMBER() OVER (${order}) - 1 AS n FROM "Pole") `;
    const pole = (alias: string) =>
      byRowid
        ? { join: `"Pole" ${alias}`, ref: `${alias}.rowid` }
        : { join: `p ${alias}`, ref: `${alias}.n` };
    const numberOf = (ref: unknown) => (byRowid ? byRowid[Number(ref)]! : Number(ref));

    const ids: string[] = [];
    let lat = new Float64Array(poleCount);
    let lng = new Float64Array(lat.length);
    for await (const page of s.pages(
      `SELECT "id", "lat", "lng"${byRowid ? ', rowid' : ''} FROM "Pole" ${order}`,
      [],
      PAGE,
    )) {
      for (const [id, la, ln, rowid] of page) {
        const k = ids.push(id as string) - 1;
        if (k >= lat.length) [lat, lng] = [grow(lat, k), grow(lng, k)];
        lat[k] = Number(la);
        lng[k] = Number(ln);
        if (byRowid) byRowid[Number(rowid)] = k;
      }
    }

    let spanFrom = new Int32Array(await count('Span'));
    let spanTo = new Int32Array(spanFrom.length);
    let spanLength = new Float64Array(spanFrom.length);
    let spans = 0;
    const [a, b] = [pole('a'), pole('b')];
    for await (const page of s.pages(
      `${numbered}SELECT ${a.ref}, ${b.ref}, s."length" FROM "Span" s
         JOIN ${a.join} ON a."id" = s."poleAId" JOIN ${b.join} ON b."id" = s."poleBId"`,
      [],
      PAGE,
    )) {
      for (const [from, to, length] of page) {
        if (spans >= spanFrom.length) {
          [spanFrom, spanTo, spanLength] = [
            grow(spanFrom, spans),
            grow(spanTo, spans),
            grow(spanLength, spans),
          ];
        }
        spanFrom[spans] = numberOf(from);
        spanTo[spans] = numberOf(to);
        spanLength[spans++] = length === null || length === undefined ? NaN : Number(length);
      }
    }

    const boxIds: string[] = [];
    let boxPole = new Int32Array(await count('Box'));
    let boxMaxDrop = new Float64Array(boxPole.length);
    const p = pole('p');
    for await (const page of s.pages(
      `${numbered}SELECT x."id", ${p.ref}, pr."dropMaxSize" FROM "Box" x
         JOIN ${p.join} ON p."id" = x."poleId" JOIN "Project" pr ON pr."id" = x."projectId"`,
      [],
      PAGE,
    )) {
      for (const [id, ref, maxDrop] of page) {
        const k = boxIds.push(id as string) - 1;
        if (k >= boxPole.length) [boxPole, boxMaxDrop] = [grow(boxPole, k), grow(boxMaxDrop, k)];
        boxPole[k] = numberOf(ref);
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
