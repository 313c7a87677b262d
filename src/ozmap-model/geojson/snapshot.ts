import { chunked } from '../db/chunks.js';
import {
  groupPairs,
  placeholders,
  textOrNull,
  truthy,
  type RawRow,
  type RawSession,
} from '../db/raw.js';

export interface Identified {
  id: string;
  externalId: string | null;
  name: string | null;
}

export interface PoleRow extends Identified {
  lng: number;
  lat: number;
}

export interface SpanRow extends Identified {
  poleAId: string;
  poleBId: string;
  length: number | null;
  cable: string | null;
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
  spans: SpanRow[];
  boxes: BoxRow[];
  regions: RegionRow[];
  /**
   * Whether any stored splitter has an external id. When none does, a file's splitter external
   * ids can match nothing stored (the file's own are unique), and the import skips looking them
   * up: each lookup would wait for every write handed over before it.
   */
  splitterExternalIds: boolean;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);

/** Every row of a query, page by page (a million boxes never come back as one result). */
async function rowsOf(s: RawSession, sql: string, params: unknown[] = []): Promise<RawRow[]> {
  const out: RawRow[] = [];
  for await (const page of s.pages(sql, params, 20_000)) for (const row of page) out.push(row);
  return out;
}

/** Join-table rows (A, B) as A → sorted Bs. */
async function links(s: RawSession, table: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for await (const page of s.pages(`SELECT "A", "B" FROM "${table}"`, [], 20_000)) {
    groupPairs(out, page);
  }
  for (const list of out.values()) list.sort();
  return out;
}

/** What is stored now, read in the import's own transaction with plain SQL. */
export async function loadSnapshot(s: RawSession): Promise<Snapshot> {
  const projects = (
    await s.all('SELECT "id", "name" FROM "Project" ORDER BY "createdAt", "id"')
  ).map(([id, name]) => ({ id: id as string, name: name as string }));
  const boxTypes = (await s.all('SELECT "id", "code", "defaultLevel" FROM "BoxType"')).map(
    ([id, code, level]) => ({
      id: id as string,
      code: code as string,
      defaultLevel: level === null ? null : Number(level),
    }),
  );
  const splitterTypes = (
    await s.all('SELECT "id", "code", "isDrop", "ratioIn", "ratioOut" FROM "SplitterType"')
  ).map(([id, code, isDrop, ratioIn, ratioOut]) => ({
    id: id as string,
    code: code as string,
    isDrop: truthy(isDrop),
    ratioIn: Number(ratioIn),
    ratioOut: Number(ratioOut),
  }));
  const regionTypes = (await s.all('SELECT "id", "name" FROM "RegionType"')).map(([id, name]) => ({
    id: id as string,
    name: name as string,
  }));
  const tags = (await s.all('SELECT "id", "name" FROM "Tag"')).map(([id, name]) => ({
    id: id as string,
    name: name as string,
  }));
  const poles = (
    await rowsOf(s, 'SELECT "id", "externalId", "name", "lng", "lat" FROM "Pole"')
  ).map(([id, externalId, name, lng, lat]) => ({
    id: id as string,
    externalId: textOrNull(externalId),
    name: textOrNull(name),
    lng: Number(lng),
    lat: Number(lat),
  }));
  const spans = (
    await rowsOf(
      s,
      'SELECT "id", "externalId", "name", "poleAId", "poleBId", "length", "cable" FROM "Span"',
    )
  ).map(([id, externalId, name, poleAId, poleBId, length, cable]): SpanRow => ({
    id: id as string,
    externalId: textOrNull(externalId),
    name: textOrNull(name),
    poleAId: poleAId as string,
    poleBId: poleBId as string,
    length: length === null || length === undefined ? null : Number(length),
    cable: textOrNull(cable),
  }));
  const boxTags = await links(s, '_BoxToTag');
  const boxes = (
    await rowsOf(
      s,
      'SELECT "id", "externalId", "name", "lng", "lat", "draft", "implanted", "hierarchyLevel", "boxTypeId", "address", "poleId" FROM "Box"',
    )
  ).map(
    ([
      id,
      externalId,
      name,
      lng,
      lat,
      draft,
      implanted,
      level,
      boxTypeId,
      address,
      poleId,
    ]): BoxRow => ({
      id: id as string,
      externalId: textOrNull(externalId),
      name: textOrNull(name),
      lng: Number(lng),
      lat: Number(lat),
      draft: truthy(draft),
      implanted: truthy(implanted),
      hierarchyLevel: Number(level),
      boxTypeId: textOrNull(boxTypeId),
      address: textOrNull(address),
      poleId: textOrNull(poleId),
      tagIds: boxTags.get(id as string) ?? [],
    }),
  );
  boxTags.clear();
  const regionTags = await links(s, '_RegionToTag');
  const regions = (
    await rowsOf(
      s,
      'SELECT "id", "externalId", "name", "polygonJson", "regionTypeId" FROM "Region"',
    )
  ).map(([id, externalId, name, polygonJson, regionTypeId]) => ({
    id: id as string,
    externalId: textOrNull(externalId),
    name: textOrNull(name),
    polygonJson: polygonJson as string,
    regionTypeId: regionTypeId as string,
    tagIds: regionTags.get(id as string) ?? [],
  }));
  const splitterExternalIds =
    (await s.all('SELECT 1 FROM "Splitter" WHERE "externalId" IS NOT NULL LIMIT 1')).length > 0;
  return {
    projects,
    spans,
    boxTypes,
    splitterTypes,
    regionTypes,
    tags,
    poles: poles.sort(byId),
    boxes,
    regions,
    splitterExternalIds,
  };
}

/** The splitters of the given boxes, plus any stored under the given external ids. */
export async function loadSplitters(
  s: RawSession,
  boxIds: string[],
  externalIds: string[],
): Promise<SplitterRow[]> {
  const found = new Map<string, SplitterRow>();
  const columns =
    'SELECT "id", "externalId", "name", "boxId", "splitterTypeId", "isDrop", "ratioIn", "ratioOut" FROM "Splitter"';
  const keep = (rows: RawRow[]) => {
    for (const [id, externalId, name, boxId, typeId, isDrop, ratioIn, ratioOut] of rows) {
      found.set(id as string, {
        id: id as string,
        externalId: textOrNull(externalId),
        name: textOrNull(name),
        boxId: boxId as string,
        splitterTypeId: typeId as string,
        isDrop: truthy(isDrop),
        ratioIn: Number(ratioIn),
        ratioOut: Number(ratioOut),
        ports: [],
      });
    }
  };
  for (const ids of chunked([...new Set(boxIds)])) {
    keep(await s.all(`${columns} WHERE "boxId" IN (${placeholders(ids.length)})`, ids));
  }
  for (const ids of chunked([...new Set(externalIds)])) {
    keep(await s.all(`${columns} WHERE "externalId" IN (${placeholders(ids.length)})`, ids));
  }
  await readPorts(s, [...found.keys()], (splitterId, port) =>
    found.get(splitterId)?.ports.push(port),
  );
  return [...found.values()].sort(byId);
}

/** The port rows of the given splitters, in (splitter, index) order, in chunks. */
export async function readPorts(
  s: RawSession,
  splitterIds: string[],
  each: (splitterId: string, port: { index: number; blocked: boolean }) => void,
): Promise<void> {
  for (const ids of chunked(splitterIds)) {
    const rows = await s.all(
      `SELECT "splitterId", "index", "blocked" FROM "SplitterPort" WHERE "splitterId" IN (${placeholders(ids.length)}) ORDER BY "splitterId", "index"`,
      ids,
    );
    for (const [splitterId, index, blocked] of rows) {
      each(splitterId as string, { index: Number(index), blocked: truthy(blocked) });
    }
  }
}

/** Ports above `keep` that a property holds, so an import never strands a customer. */
export async function heldPortsAbove(
  s: RawSession,
  splitterId: string,
  keep: number,
): Promise<Array<{ port: number; clientCode: string | null }>> {
  const rows = await s.all(
    'SELECT p."port", c."code" FROM "Property" p LEFT JOIN "FtthClient" c ON c."id" = p."clientId" WHERE p."splitterId" = ? AND p."port" > ? ORDER BY p."port"',
    [splitterId, keep],
  );
  return rows.map(([port, code]) => ({ port: Number(port), clientCode: textOrNull(code) }));
}
