// What the planner needs to know about our inventory for one page of Geogrid items, read in a few
// batched queries. Id lists are chunked (SQLite binds at most ~999 parameters per statement).
import type { Db } from '../../ozmap-model/db/client.js';
import type { LocalBox, LocalHolder, LocalItem, LocalSplitter, OurClient } from './planner.js';

export const CHUNK = 500;

export async function inChunks<T, R>(
  items: readonly T[],
  fn: (chunk: T[]) => Promise<R[]>,
): Promise<R[]> {
  const out: R[] = [];
  const distinct = [...new Set(items)];
  for (let i = 0; i < distinct.length; i += CHUNK) {
    for (const r of await fn(distinct.slice(i, i + CHUNK))) out.push(r);
  }
  return out;
}

/** Clients and boxes made by a Geogrid sync carry `reservedBy = "geogrid:<integration>"`. */
export function geogridOrigin(integration: string): string {
  return `geogrid:${integration}`;
}

/** The code of the client that holds a port for a Geogrid client that is not ours. */
export function holdCode(integration: string, geogridPortId: string): string {
  return `geogrid:${integration}:porta:${geogridPortId}`;
}

interface HoldMeta {
  geogridClientId?: string;
  geogridPortId?: string;
}

function holdMeta(json: string | null): HoldMeta {
  try {
    return json ? (JSON.parse(json) as HoldMeta) : {};
  } catch {
    return {};
  }
}

function numbers(json: string): number[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((n): n is number => Number.isInteger(n)) : [];
  } catch {
    return [];
  }
}

/** The page's items as synced here, with their boxes, splitters, ports and who holds them. */
export async function localItems(
  db: Db,
  integration: string,
  itemIds: readonly string[],
): Promise<Map<string, LocalItem>> {
  const rows = await inChunks(itemIds, (chunk) =>
    db.geogridItem.findMany({ where: { integration, itemId: { in: chunk } } }),
  );
  const boxes = await localBoxes(
    db,
    integration,
    rows.map((r) => r.boxId).filter((id): id is string => id !== null),
  );
  const poles = await inChunks(
    rows.map((r) => r.poleId).filter((id): id is string => id !== null),
    (chunk) =>
      db.pole.findMany({
        where: { id: { in: chunk } },
        select: { id: true, name: true, lat: true, lng: true, observation: true },
      }),
  );
  const poleById = new Map(poles.map((p) => [p.id, p]));
  return new Map(
    rows.map((r) => [
      r.itemId,
      {
        itemId: r.itemId,
        kind: r.kind,
        state: r.state,
        fingerprint: r.fingerprint,
        readAt: r.readAt,
        portsAt: r.portsAt,
        box: (r.boxId && boxes.get(r.boxId)) || null,
        pole: (r.poleId && poleById.get(r.poleId)) || null,
      },
    ]),
  );
}

/**
 * Boxes with every splitter, blocked and held port, and what is sync-made about them. One flat
 * query per table, each over at most CHUNK ids: a nested select would bind the ids of every
 * splitter, port and client of the chunk in one statement (a page of 500 boxes with three
 * splitters passes SQLite's limit).
 */
export async function localBoxes(
  db: Db,
  integration: string,
  boxIds: readonly string[],
): Promise<Map<string, LocalBox>> {
  const origin = geogridOrigin(integration);
  const boxes = await inChunks(boxIds, (chunk) =>
    db.box.findMany({
      where: { id: { in: chunk } },
      select: { id: true, name: true, lat: true, lng: true, draft: true, observation: true },
    }),
  );
  const found = boxes.map((b) => b.id);
  const splitters = await inChunks(found, (chunk) =>
    db.splitter.findMany({
      where: { boxId: { in: chunk } },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      select: { id: true, boxId: true, name: true, isDrop: true, ratioOut: true },
    }),
  );
  const splitterIds = splitters.map((s) => s.id);
  const blocked = await inChunks(splitterIds, (chunk) =>
    db.splitterPort.findMany({
      where: { splitterId: { in: chunk }, blocked: true },
      select: { splitterId: true, index: true },
    }),
  );
  const held = await inChunks(splitterIds, (chunk) =>
    db.property.findMany({
      where: { splitterId: { in: chunk }, port: { not: null } },
      select: { id: true, splitterId: true, port: true, clientId: true },
    }),
  );
  const clients = await inChunks(
    held.map((p) => p.clientId).filter((id): id is string => id !== null),
    (chunk) =>
      db.ftthClient.findMany({
        where: { id: { in: chunk } },
        select: { id: true, code: true, name: true, reservedBy: true, reservationMetaJson: true },
      }),
  );
  const loose = await inChunks(found, (chunk) =>
    db.property.findMany({
      where: { boxId: { in: chunk }, splitterId: null, clientId: { not: null } },
      select: { boxId: true },
    }),
  );
  const synced = await inChunks(splitterIds, (chunk) =>
    db.geogridSplitter.findMany({
      where: { integration, splitterId: { in: chunk } },
      select: { splitterId: true, equipmentId: true, reservedJson: true },
    }),
  );
  const bySplitter = new Map(synced.map((s) => [s.splitterId, s]));
  const clientById = new Map(clients.map((c) => [c.id, c]));
  const blockedBy = groupBy(blocked, (p) => p.splitterId);
  const heldBy = groupBy(held, (p) => p.splitterId!);
  const splittersBy = groupBy(splitters, (s) => s.boxId);
  const looseBy = groupBy(loose, (p) => p.boxId!);
  return new Map(
    boxes.map((b) => {
      const mine: LocalSplitter[] = (splittersBy.get(b.id) ?? []).map((s) => {
        const link = bySplitter.get(s.id);
        const holders: LocalHolder[] = (heldBy.get(s.id) ?? []).map((p) => {
          const client = p.clientId ? clientById.get(p.clientId) : undefined;
          const isHold = client?.reservedBy === origin;
          const meta = isHold ? holdMeta(client?.reservationMetaJson ?? null) : {};
          return {
            port: p.port ?? 0,
            propertyId: p.id,
            clientId: p.clientId,
            clientCode: client?.code ?? null,
            hold:
              isHold && meta.geogridClientId && meta.geogridPortId
                ? {
                    geogridClientId: meta.geogridClientId,
                    geogridPortId: meta.geogridPortId,
                    name: client?.name ?? null,
                  }
                : null,
          };
        });
        return {
          id: s.id,
          equipmentId: link?.equipmentId ?? null,
          name: s.name,
          isDrop: s.isDrop,
          ratioOut: s.ratioOut,
          blocked: (blockedBy.get(s.id) ?? []).map((p) => p.index),
          reservedByGeogrid: link ? numbers(link.reservedJson) : [],
          holders,
        };
      });
      return [
        b.id,
        {
          id: b.id,
          name: b.name,
          lat: b.lat,
          lng: b.lng,
          draft: b.draft,
          observation: b.observation,
          splitters: mine,
          looseClients: looseBy.get(b.id)?.length ?? 0,
        },
      ];
    }),
  );
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** Geogrid client id → our client, for the given Geogrid clients that are ours. */
export async function ourClients(
  db: Db,
  integration: string,
  geogridClientIds: readonly string[],
): Promise<Map<string, OurClient>> {
  const links = await inChunks(geogridClientIds, (chunk) =>
    db.geogridClient.findMany({
      where: { integration, geogridClientId: { in: chunk } },
      select: { clientId: true, geogridClientId: true },
    }),
  );
  const clients = await inChunks(
    links.map((l) => l.clientId),
    (chunk) =>
      db.ftthClient.findMany({
        where: { id: { in: chunk } },
        select: {
          id: true,
          code: true,
          property: { select: { id: true, boxId: true, splitterId: true, port: true } },
        },
      }),
  );
  const byId = new Map(clients.map((c) => [c.id, c]));
  const out = new Map<string, OurClient>();
  for (const l of links) {
    const c = byId.get(l.clientId);
    if (!c || !l.geogridClientId) continue;
    out.set(l.geogridClientId, {
      clientId: c.id,
      code: c.code,
      propertyId: c.property?.id ?? null,
      boxId: c.property?.boxId ?? null,
      splitterId: c.property?.splitterId ?? null,
      port: c.property?.port ?? null,
    });
  }
  return out;
}
