import type { Prisma } from '../../generated/sqlite/client.js';

export type Tx = Prisma.TransactionClient;

export interface Identified {
  id: string;
  externalId: string | null;
  name: string | null;
}

export interface PoleRow extends Identified {
  lng: number;
  lat: number;
}

export interface BoxRow extends Identified {
  lng: number;
  lat: number;
  draft: boolean;
  implanted: boolean;
  hierarchyLevel: number;
  boxTypeId: string | null;
  address: string | null;
  poleId: string | null;
  tagIds: string[];
}

export interface RegionRow extends Identified {
  polygonJson: string;
  regionTypeId: string;
  tagIds: string[];
}

export interface SplitterRow extends Identified {
  boxId: string;
  splitterTypeId: string;
  isDrop: boolean;
  ratioIn: number;
  ratioOut: number;
  ports: Array<{ index: number; blocked: boolean }>;
}

/** What is stored now, as far as an import needs to know it. */
export interface Snapshot {
  projects: Array<{ id: string; name: string }>;
  boxTypes: Array<{ id: string; code: string; defaultLevel: number | null }>;
  splitterTypes: Array<{
    id: string;
    code: string;
    isDrop: boolean;
    ratioIn: number;
    ratioOut: number;
  }>;
  regionTypes: Array<{ id: string; name: string }>;
  tags: Array<{ id: string; name: string }>;
  poles: PoleRow[];
  boxes: BoxRow[];
  regions: RegionRow[];
}

const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);

export async function loadSnapshot(tx: Tx): Promise<Snapshot> {
  // One after the other: queries inside an interactive transaction share one connection.
  const projects = await tx.project.findMany({
    select: { id: true, name: true },
    orderBy: { createdAt: 'asc' },
  });
  const boxTypes = await tx.boxType.findMany({
    select: { id: true, code: true, defaultLevel: true },
  });
  const splitterTypes = await tx.splitterType.findMany({
    select: { id: true, code: true, isDrop: true, ratioIn: true, ratioOut: true },
  });
  const regionTypes = await tx.regionType.findMany({ select: { id: true, name: true } });
  const tags = await tx.tag.findMany({ select: { id: true, name: true } });
  const poles = await tx.pole.findMany({
    select: { id: true, externalId: true, name: true, lng: true, lat: true },
  });
  const boxes = await tx.box.findMany({
    select: {
      id: true,
      externalId: true,
      name: true,
      lng: true,
      lat: true,
      draft: true,
      implanted: true,
      hierarchyLevel: true,
      boxTypeId: true,
      address: true,
      poleId: true,
      tags: { select: { id: true } },
    },
  });
  const regions = await tx.region.findMany({
    select: {
      id: true,
      externalId: true,
      name: true,
      polygonJson: true,
      regionTypeId: true,
      tags: { select: { id: true } },
    },
  });
  return {
    projects,
    boxTypes,
    splitterTypes,
    regionTypes,
    tags,
    poles: poles.sort(byId),
    boxes: boxes.map(({ tags: t, ...b }) => ({ ...b, tagIds: t.map((x) => x.id).sort() })),
    regions: regions.map(({ tags: t, ...r }) => ({ ...r, tagIds: t.map((x) => x.id).sort() })),
  };
}

/** The splitters of the given boxes, plus any stored under the given external ids. */
export async function loadSplitters(
  tx: Tx,
  boxIds: string[],
  externalIds: string[],
): Promise<SplitterRow[]> {
  const select = {
    id: true,
    externalId: true,
    name: true,
    boxId: true,
    splitterTypeId: true,
    isDrop: true,
    ratioIn: true,
    ratioOut: true,
    ports: { select: { index: true, blocked: true }, orderBy: { index: 'asc' as const } },
  };
  const found = new Map<string, SplitterRow>();
  for (const ids of chunks(boxIds)) {
    for (const s of await tx.splitter.findMany({ where: { boxId: { in: ids } }, select })) {
      found.set(s.id, s);
    }
  }
  for (const ids of chunks(externalIds)) {
    for (const s of await tx.splitter.findMany({ where: { externalId: { in: ids } }, select })) {
      found.set(s.id, s);
    }
  }
  return [...found.values()].sort(byId);
}

/** Ports above `keep` that a property holds, so an import never strands a customer. */
export async function heldPortsAbove(
  tx: Tx,
  splitterId: string,
  keep: number,
): Promise<Array<{ port: number; clientCode: string | null }>> {
  const rows = await tx.property.findMany({
    where: { splitterId, port: { gt: keep } },
    select: { port: true, client: { select: { code: true } } },
    orderBy: { port: 'asc' },
  });
  return rows.map((r) => ({ port: r.port ?? 0, clientCode: r.client?.code ?? null }));
}
