import { ConflictError } from '../../errors.js';
import type { Db } from '../db/client.js';
import { EVERY_NETWORK_KEY, withChangeLogSuspended } from '../db/change-log.js';
import { flushAll, withRawSession, type Inserter, type RawSession } from '../db/raw.js';
import { noProgress, type Progress } from '../progress.js';
import { getSystemConfig } from '../system-config.js';
import { generateScaledNetwork } from './scaled.js';
import type { SeedCounts, SeedOptions } from './seed.js';
import type { DemoRows } from './generate.js';

export interface ScaledSeedOptions extends SeedOptions {
  progress?: Progress;
}

/**
 * Writes a demo network of `boxes` boxes (see generateScaledNetwork) into an empty inventory, in
 * one transaction on its own connection: a million boxes take minutes, with no transaction
 * timeout, and an interrupted run leaves the database as it was.
 */
export async function seedScaledNetwork(
  db: Db,
  seed: number,
  boxes: number,
  options: ScaledSeedOptions = {},
): Promise<SeedCounts> {
  const net = generateScaledNetwork(seed, boxes);
  const progress = options.progress ?? noProgress;
  await getSystemConfig(db, options.defaultRadiusMeters ?? 300);
  const counts: SeedCounts = { boxes: 0, splitters: 0, clients: 0, regions: net.regions.length };
  await withRawSession(db, 'write', async (s) => {
    await assertEmpty(s);
    const ids = await writeCatalogue(s, net);
    const id = (generated: string) => ids.get(generated) ?? generated;
    const now = new Date();
    const write = inserters(s);
    progress.phase('seeding demo network', boxes);
    await withChangeLogSuspended(s, EVERY_NETWORK_KEY, async () => {
      for (const rows of net.rows()) {
        await writeRows(write, rows, id, now);
        counts.boxes += rows.boxes.length;
        counts.splitters += rows.splitters.length;
        counts.clients += rows.clients.length;
        progress.advance(rows.boxes.length);
      }
      await flushAll(Object.values(write));
    });
    progress.end();
  });
  return counts;
}

async function assertEmpty(s: RawSession): Promise<void> {
  const [[boxes]] = (await s.all('SELECT COUNT(*) FROM "Box"')) as [[unknown]];
  const [[clients]] = (await s.all('SELECT COUNT(*) FROM "FtthClient"')) as [[unknown]];
  if (Number(boxes) > 0 || Number(clients) > 0) {
    throw new ConflictError(
      `the database already holds ${Number(boxes)} boxes and ${Number(clients)} clients; the demo network is only seeded into an empty inventory`,
    );
  }
}

type Writers = ReturnType<typeof inserters>;

function inserters(s: RawSession) {
  return {
    poles: s.inserter('Pole', ['id', 'name', 'projectId', 'lng', 'lat', 'updatedAt']),
    boxes: s.inserter('Box', [
      'id',
      'name',
      'projectId',
      'lng',
      'lat',
      'boxTypeId',
      'hierarchyLevel',
      'implanted',
      'draft',
      'poleId',
      'address',
      'updatedAt',
    ]),
    splitters: s.inserter('Splitter', [
      'id',
      'name',
      'boxId',
      'projectId',
      'splitterTypeId',
      'implanted',
      'isDrop',
      'ratioIn',
      'ratioOut',
      'updatedAt',
    ]),
    ports: s.inserter('SplitterPort', ['splitterId', 'index', 'blocked', 'observation']),
    clients: s.inserter('FtthClient', [
      'id',
      'code',
      'name',
      'implanted',
      'status',
      'onuSerial',
      'updatedAt',
    ]),
    properties: s.inserter('Property', [
      'id',
      'projectId',
      'clientId',
      'boxId',
      'splitterId',
      'port',
      'lng',
      'lat',
      'address',
      'potencyRead',
      'updatedAt',
    ]),
    // last: flushed after the poles it joins
    spans: s.inserter('Span', [
      'id',
      'name',
      'projectId',
      'poleAId',
      'poleBId',
      'length',
      'cable',
      'updatedAt',
    ]),
  } satisfies Record<keyof DemoRows, Inserter>;
}

async function writeRows(
  w: Writers,
  rows: DemoRows,
  id: (generated: string) => string,
  now: Date,
): Promise<void> {
  let full = false;
  const wait = (isFull: boolean) => {
    full ||= isFull;
  };
  for (const p of rows.poles) wait(w.poles.add([p.id, p.name, p.projectId, p.lng, p.lat, now]));
  for (const b of rows.boxes) {
    wait(
      w.boxes.add([
        b.id,
        b.name,
        b.projectId,
        b.lng,
        b.lat,
        id(b.boxTypeId),
        b.hierarchyLevel,
        b.implanted,
        b.draft,
        b.poleId,
        b.address,
        now,
      ]),
    );
  }
  for (const sp of rows.splitters) {
    wait(
      w.splitters.add([
        sp.id,
        sp.name,
        sp.boxId,
        sp.projectId,
        id(sp.splitterTypeId),
        sp.implanted,
        sp.isDrop,
        sp.ratioIn,
        sp.ratioOut,
        now,
      ]),
    );
  }
  for (const p of rows.ports) {
    wait(w.ports.add([p.splitterId, p.index, p.blocked, p.observation]));
  }
  for (const c of rows.clients) {
    wait(w.clients.add([c.id, c.code, c.name, c.implanted, c.status, c.onuSerial, now]));
  }
  for (const p of rows.properties) {
    wait(
      w.properties.add([
        p.id,
        p.projectId,
        p.clientId,
        p.boxId,
        p.splitterId,
        p.port,
        p.lng,
        p.lat,
        p.address,
        p.potencyRead,
        now,
      ]),
    );
  }
  for (const sp of rows.spans) {
    wait(
      w.spans.add([sp.id, sp.name, sp.projectId, sp.poleAId, sp.poleBId, sp.length, sp.cable, now]),
    );
  }
  if (full) await flushAll(Object.values(w));
}

/** Projects, types, tags and regions; returns generated id → stored id for reused catalogue rows. */
async function writeCatalogue(
  s: RawSession,
  net: ReturnType<typeof generateScaledNetwork>,
): Promise<Map<string, string>> {
  const c = net.catalogue;
  const now = new Date();
  const ids = new Map<string, string>();
  const reuse = async (table: string, key: string, value: string, generated: string) => {
    const rows = await s.all(`SELECT "id" FROM "${table}" WHERE "${key}" = ?`, [value]);
    if (rows[0]) ids.set(generated, String(rows[0][0]));
    return rows.length > 0;
  };
  for (const p of net.projects) {
    await s.run(
      'INSERT INTO "Project" ("id", "name", "identifier", "lat", "lng", "defaultPonPotency", "dropMaxSize", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [p.id, p.name, p.identifier, p.lat, p.lng, p.defaultPonPotency, p.dropMaxSize, now],
    );
  }
  if (!(await reuse('BoxType', 'code', c.boxType.code, c.boxType.id))) {
    const t = c.boxType;
    await s.run(
      'INSERT INTO "BoxType" ("id", "code", "prefix", "brand", "description", "defaultLevel", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?)',
      [t.id, t.code, t.prefix, t.brand, t.description, t.defaultLevel, now],
    );
  }
  if (!(await reuse('RegionType', 'name', c.regionType.name, c.regionType.id))) {
    const t = c.regionType;
    await s.run(
      'INSERT INTO "RegionType" ("id", "name", "color", "borderColor", "description", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)',
      [t.id, t.name, t.color, t.borderColor, t.description, now],
    );
  }
  for (const t of [c.drop8, c.drop16, c.distribution4]) {
    if (await reuse('SplitterType', 'code', t.code, t.id)) continue;
    await s.run(
      'INSERT INTO "SplitterType" ("id", "code", "isDrop", "ratioIn", "ratioOut", "description", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?)',
      [t.id, t.code, t.isDrop, t.ratioIn, t.ratioOut, t.description, now],
    );
  }
  for (const t of c.tags) {
    if (await reuse('Tag', 'name', t.name, t.id)) continue;
    await s.run(
      'INSERT INTO "Tag" ("id", "name", "allowedTypesJson", "color", "updatedAt") VALUES (?, ?, ?, ?, ?)',
      [t.id, t.name, t.allowedTypesJson, t.color, now],
    );
  }
  const id = (generated: string) => ids.get(generated) ?? generated;
  for (const [k, r] of net.regions.entries()) {
    await s.run(
      'INSERT INTO "Region" ("id", "name", "polygonJson", "regionTypeId", "observation", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)',
      [r.id, r.name, r.polygonJson, id(r.regionTypeId), r.observation, now],
    );
    for (const tagId of r.tagIds) {
      await s.run('INSERT INTO "_RegionToTag" ("A", "B") VALUES (?, ?)', [r.id, id(tagId)]);
    }
    const project = net.projects[Math.floor(k / 3)] ?? net.projects[0]!;
    await s.run('INSERT INTO "_ProjectToRegion" ("A", "B") VALUES (?, ?)', [project.id, r.id]);
  }
  return ids;
}
