import { ConflictError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Prisma } from '../../generated/sqlite/client.js';
import type { Db } from '../db/client.js';
import { getSystemConfig } from '../system-config.js';
import { generateDemoNetwork } from './generate.js';
import type { DemoNetwork } from './types.js';

export interface SeedCounts {
  boxes: number;
  splitters: number;
  clients: number;
  regions: number;
}

export interface SeedOptions {
  /** Used only when the system configuration row does not exist yet. */
  defaultRadiusMeters?: number;
}

type Tx = Prisma.TransactionClient;

const CHUNK = 1000;

async function inChunks<T>(rows: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

/**
 * Writes the demo network for `seed` in one transaction. Refuses an inventory that already has
 * boxes or clients: the demo is a starting point, never mixed into real data.
 */
export async function seedDemoNetwork(
  db: Db,
  seed: number,
  options: SeedOptions = {},
): Promise<SeedCounts> {
  const net = generateDemoNetwork(seed);
  await getSystemConfig(db, options.defaultRadiusMeters ?? 300);
  await db.$transaction(
    async (tx) => {
      await assertEmpty(tx);
      const ids = await reuseCatalogue(tx, net);
      await writeCatalogue(tx, net, ids);
      await writeInventory(tx, net, ids);
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
  return {
    boxes: net.boxes.length,
    splitters: net.splitters.length,
    clients: net.clients.length,
    regions: net.regions.length,
  };
}

/** Seeds only when the inventory has no boxes; logs what it did. Returns null when it did not. */
export async function seedDemoIfEmpty(
  db: Db,
  seed: number,
  logger: Logger,
  options: SeedOptions = {},
): Promise<SeedCounts | null> {
  const boxes = await db.box.count();
  if (boxes > 0) {
    logger.debug({ boxes }, 'demo network not seeded: the inventory already has boxes');
    return null;
  }
  try {
    const counts = await seedDemoNetwork(db, seed, options);
    logger.info({ seed, ...counts }, 'demo network seeded');
    return counts;
  } catch (err) {
    // Another process may have seeded first, or the inventory holds clients: leave it as it is.
    if (!(err instanceof ConflictError)) throw err;
    logger.warn({ reason: err.message }, 'demo network not seeded');
    return null;
  }
}

async function assertEmpty(tx: Tx): Promise<void> {
  const boxes = await tx.box.count();
  const clients = await tx.ftthClient.count();
  if (boxes > 0 || clients > 0) {
    throw new ConflictError(
      `the database already holds ${boxes} boxes and ${clients} clients; the demo network is only seeded into an empty inventory`,
    );
  }
}

/** Generated id → id to write: catalogue rows that already exist (same code/name) are reused. */
type IdMap = Map<string, string>;

async function reuseCatalogue(tx: Tx, net: DemoNetwork): Promise<IdMap> {
  const ids: IdMap = new Map();
  const boxType = await tx.boxType.findUnique({ where: { code: net.boxType.code } });
  if (boxType) ids.set(net.boxType.id, boxType.id);
  const regionType = await tx.regionType.findUnique({ where: { name: net.regionType.name } });
  if (regionType) ids.set(net.regionType.id, regionType.id);
  const types = await tx.splitterType.findMany({
    where: { code: { in: net.splitterTypes.map((t) => t.code) } },
  });
  for (const t of net.splitterTypes) {
    const found = types.find((e) => e.code === t.code);
    if (found) ids.set(t.id, found.id);
  }
  const tags = await tx.tag.findMany({ where: { name: { in: net.tags.map((t) => t.name) } } });
  for (const t of net.tags) {
    const found = tags.find((e) => e.name === t.name);
    if (found) ids.set(t.id, found.id);
  }
  return ids;
}

async function writeCatalogue(tx: Tx, net: DemoNetwork, ids: IdMap): Promise<void> {
  await tx.project.upsert({ where: { id: net.project.id }, create: net.project, update: {} });
  if (!ids.has(net.boxType.id)) await tx.boxType.create({ data: net.boxType });
  if (!ids.has(net.regionType.id)) await tx.regionType.create({ data: net.regionType });
  await tx.splitterType.createMany({ data: net.splitterTypes.filter((t) => !ids.has(t.id)) });
  await tx.tag.createMany({ data: net.tags.filter((t) => !ids.has(t.id)) });
}

async function writeInventory(tx: Tx, net: DemoNetwork, ids: IdMap): Promise<void> {
  const id = (generated: string) => ids.get(generated) ?? generated;
  for (const { tagIds, regionTypeId, ...region } of net.regions) {
    await tx.region.create({
      data: {
        ...region,
        regionType: { connect: { id: id(regionTypeId) } },
        tags: { connect: tagIds.map((t) => ({ id: id(t) })) },
        projects: { connect: [{ id: net.project.id }] },
      },
    });
  }
  await inChunks(net.poles, (data) => tx.pole.createMany({ data }));
  await inChunks(net.spans, (data) => tx.span.createMany({ data }));
  await inChunks(net.boxes, (rows) =>
    tx.box.createMany({ data: rows.map((b) => ({ ...b, boxTypeId: id(b.boxTypeId) })) }),
  );
  await inChunks(net.splitters, (rows) =>
    tx.splitter.createMany({
      data: rows.map((s) => ({ ...s, splitterTypeId: id(s.splitterTypeId) })),
    }),
  );
  await inChunks(net.ports, (data) => tx.splitterPort.createMany({ data }));
  await inChunks(net.clients, (data) => tx.ftthClient.createMany({ data }));
  await inChunks(net.properties, (data) => tx.property.createMany({ data }));
}
