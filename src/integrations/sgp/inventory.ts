// What the planner needs to know about our inventory for one page of contracts, read in a few
// batched queries (chunked: SQLite binds at most ~999 parameters per statement).
import type { Db } from '../../ozmap-model/db/client.js';
import { findInChunks } from '../../ozmap-model/db/chunks.js';
import { documentSpellings, parseDocument } from './converters.js';
import type { LocalBox, LocalClient } from './planner.js';

// Prisma reads nested relations with one IN list of the parents' ids: a chunk of 50 box names
// keeps their splitters' and ports' lists far below SQLite's bind limit.
const BOX_CHUNK = 50;

const CLIENT_SELECT = {
  id: true,
  code: true,
  name: true,
  implanted: true,
  status: true,
  document: true,
  reservedBy: true,
  createdAt: true,
  property: {
    select: {
      id: true,
      boxId: true,
      splitterId: true,
      port: true,
      lat: true,
      lng: true,
      address: true,
      potencyRead: true,
      observation: true,
    },
  },
} as const;

/** Clients made by an SGP sync carry `reservedBy = "sgp:<integration>"`. */
export function sgpOrigin(integration: string): string {
  return `sgp:${integration}`;
}

/** Our clients whose code is one of `codes`. */
export async function clientsByCode(db: Db, codes: string[]): Promise<Map<string, LocalClient>> {
  const rows = await findInChunks(codes, (chunk) =>
    db.ftthClient.findMany({ where: { code: { in: chunk } }, select: CLIENT_SELECT }),
  );
  return new Map(rows.map((r) => [r.code, r]));
}

/**
 * Reservations that a new contract with the same CPF/CNPJ may adopt: non-implanted clients not
 * made by an SGP sync, whatever the spelling of their document here.
 */
export async function reservationsByDocument(
  db: Db,
  documents: string[],
): Promise<Map<string, LocalClient[]>> {
  const spellings = [...new Set(documents.flatMap(documentSpellings))];
  const rows = await findInChunks(spellings, (chunk) =>
    db.ftthClient.findMany({
      where: {
        implanted: false,
        document: { in: chunk },
        OR: [{ reservedBy: null }, { NOT: { reservedBy: { startsWith: 'sgp:' } } }],
      },
      select: CLIENT_SELECT,
    }),
  );
  const map = new Map<string, LocalClient[]>();
  for (const r of rows) {
    const digits = parseDocument(r.document);
    if (!digits) continue;
    const list = map.get(digits) ?? [];
    list.push(r);
    map.set(digits, list);
  }
  return map;
}

/** Boxes by exact name, with their drop splitters' blocked and held ports. */
export async function boxesByName(db: Db, names: string[]): Promise<Map<string, LocalBox[]>> {
  const rows = await findInChunks(
    names,
    (chunk) =>
      db.box.findMany({
        where: { name: { in: chunk } },
        select: {
          id: true,
          name: true,
          projectId: true,
          draft: true,
          splitters: {
            where: { isDrop: true },
            orderBy: [{ name: 'asc' }, { id: 'asc' }],
            select: {
              id: true,
              name: true,
              ratioOut: true,
              ports: { where: { blocked: true }, select: { index: true } },
              properties: {
                where: { port: { not: null } },
                select: { id: true, port: true, client: { select: { code: true } } },
              },
            },
          },
        },
      }),
    BOX_CHUNK,
  );
  const map = new Map<string, LocalBox[]>();
  for (const b of rows) {
    if (b.name === null) continue;
    const box: LocalBox = {
      id: b.id,
      name: b.name,
      projectId: b.projectId,
      draft: b.draft,
      dropSplitters: b.splitters.map((s) => ({
        id: s.id,
        name: s.name,
        ratioOut: s.ratioOut,
        blocked: s.ports.map((p) => p.index),
        held: s.properties.map((p) => ({
          port: p.port ?? 0,
          propertyId: p.id,
          clientCode: p.client?.code ?? null,
        })),
      })),
    };
    const list = map.get(b.name) ?? [];
    list.push(box);
    map.set(b.name, list);
  }
  return map;
}
