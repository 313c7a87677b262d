import { ConflictError, NoFreePortError, NotFoundError, ValidationError } from '../errors.js';
import { dbProvider, isUniqueViolation, type Db, type Tx } from './db/client.js';

export type { Tx };

/** Where a property should be connected: any free drop port of a box, or one exact port. */
export type PortTarget =
  | { kind: 'box'; boxId: string; allowDraft?: boolean }
  | { kind: 'port'; splitterId: string; port: number; allowDraft?: boolean };

export interface AllocatedPort {
  boxId: string;
  boxName: string | null;
  projectId: string;
  splitterId: string;
  splitterName: string | null;
  port: number;
}

const MAX_ATTEMPTS = 16;
const TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 };

/**
 * Chooses a free port for `target` and runs `write` with it in the same transaction.
 * Double-booking is impossible by the unique (splitterId, port) constraint; to keep concurrent
 * writers from colliding in the first place, PostgreSQL locks the box row for the transaction
 * (SQLite transactions are serialised already). A writer that still loses a race rolls back and
 * tries again with what is free now.
 */
export async function withFreePort<T>(
  db: Db,
  target: PortTarget,
  write: (tx: Tx, slot: AllocatedPort) => Promise<T>,
): Promise<T> {
  const onPostgres = dbProvider(db) === 'postgresql';
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(async (tx) => {
        const slot = await choosePortInTx(tx, target, onPostgres);
        return write(tx, slot);
      }, TX_OPTIONS);
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= MAX_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

/** PostgreSQL: holds the box row for the transaction, so its ports change one writer at a time. */
export async function lockBox(tx: Tx, boxId: string): Promise<void> {
  await tx.$queryRawUnsafe('SELECT 1 FROM "Box" WHERE "id" = $1 FOR UPDATE', boxId);
}

/**
 * Picks a port for `target` inside the caller's transaction, as `withFreePort` does (locking the
 * box on PostgreSQL), for writers that change more than the port in that transaction.
 */
export async function choosePortInTx(
  tx: Tx,
  target: PortTarget,
  onPostgres: boolean,
): Promise<AllocatedPort> {
  return target.kind === 'box'
    ? firstFreePort(tx, target, onPostgres)
    : exactPort(tx, target, onPostgres);
}

interface PortRow {
  kind: string;
  id: string;
  name: string | null;
  projectId: string | null;
  num: number | bigint | boolean | null;
}

// The box, its drop splitters, their blocked ports and their held ports in one round trip: each
// query costs far more in the client than in the database, and this is the reservation hot path.
const BOX_PORTS_SQL_PG = `
SELECT 'box' AS kind, b."id" AS id, b."name" AS name, b."projectId" AS "projectId",
       CASE WHEN b."draft" THEN 1 ELSE 0 END AS num
  FROM "Box" b WHERE b."id" = $1
UNION ALL
SELECT 'splitter', s."id", s."name", NULL, s."ratioOut"
  FROM "Splitter" s WHERE s."boxId" = $1 AND s."isDrop" = TRUE
UNION ALL
SELECT 'blocked', sp."splitterId", NULL, NULL, sp."index"
  FROM "SplitterPort" sp JOIN "Splitter" s ON s."id" = sp."splitterId"
 WHERE s."boxId" = $1 AND s."isDrop" = TRUE AND sp."blocked" = TRUE
UNION ALL
SELECT 'taken', p."splitterId", NULL, NULL, p."port"
  FROM "Property" p JOIN "Splitter" s ON s."id" = p."splitterId"
 WHERE s."boxId" = $1 AND s."isDrop" = TRUE AND p."port" IS NOT NULL`;

// SQLite binds each `?` separately, PostgreSQL reuses `$1`.
const BOX_PORTS_SQL_SQLITE = BOX_PORTS_SQL_PG.replaceAll('$1', '?');

async function firstFreePort(
  tx: Tx,
  target: Extract<PortTarget, { kind: 'box' }>,
  onPostgres: boolean,
): Promise<AllocatedPort> {
  if (onPostgres) await lockBox(tx, target.boxId);
  const rows = onPostgres
    ? await tx.$queryRawUnsafe<PortRow[]>(BOX_PORTS_SQL_PG, target.boxId)
    : await tx.$queryRawUnsafe<PortRow[]>(
        BOX_PORTS_SQL_SQLITE,
        ...Array<string>(4).fill(target.boxId),
      );
  const box = rows.find((r) => r.kind === 'box');
  if (!box) throw new NotFoundError('box', target.boxId);
  const label = box.name ?? box.id;
  if (Number(box.num) === 1 && !target.allowDraft) throw draftError(label);
  const splitters = rows
    .filter((r) => r.kind === 'splitter')
    .sort((a, b) => compareNullable(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (splitters.length === 0) {
    throw new ConflictError(`box ${label} has no drop splitter (splitter de atendimento)`, 'box');
  }
  const unavailable = new Set(
    rows
      .filter((r) => r.kind === 'blocked' || r.kind === 'taken')
      .map((r) => `${r.id}:${Number(r.num)}`),
  );
  for (const s of splitters) {
    const ratio = Number(s.num);
    for (let port = 1; port <= ratio; port++) {
      if (unavailable.has(`${s.id}:${port}`)) continue;
      return {
        boxId: box.id,
        boxName: box.name,
        projectId: box.projectId ?? '',
        splitterId: s.id,
        splitterName: s.name,
        port,
      };
    }
  }
  throw new NoFreePortError(`box ${label} has no free port`);
}

/** Prisma's `orderBy name asc` order: nulls first, then by code point. */
function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

async function exactPort(
  tx: Tx,
  target: Extract<PortTarget, { kind: 'port' }>,
  onPostgres: boolean,
): Promise<AllocatedPort> {
  if (!Number.isInteger(target.port) || target.port < 1) {
    throw new ValidationError(
      `port must be a positive integer, got ${String(target.port)}`,
      'port',
    );
  }
  if (onPostgres) {
    const owner = await tx.splitter.findUnique({
      where: { id: target.splitterId },
      select: { boxId: true },
    });
    if (owner) await lockBox(tx, owner.boxId);
  }
  const splitter = await tx.splitter.findUnique({
    where: { id: target.splitterId },
    select: {
      id: true,
      name: true,
      ratioOut: true,
      box: { select: { id: true, name: true, projectId: true, draft: true } },
      ports: { where: { index: target.port }, select: { blocked: true } },
      properties: { where: { port: target.port }, select: { id: true } },
    },
  });
  if (!splitter) throw new NotFoundError('splitter', target.splitterId);
  const label = splitter.name ?? splitter.id;
  if (target.port > splitter.ratioOut) {
    throw new ValidationError(
      `port ${target.port} is beyond splitter ${label}'s ${splitter.ratioOut} ports`,
      'port',
    );
  }
  if (splitter.box.draft && !target.allowDraft)
    throw draftError(splitter.box.name ?? splitter.box.id);
  if (splitter.ports[0]?.blocked) {
    throw new ConflictError(`port ${target.port} of splitter ${label} is blocked`, 'port');
  }
  if (splitter.properties.length > 0) {
    throw new NoFreePortError(`port ${target.port} of splitter ${label} is already taken`);
  }
  return {
    boxId: splitter.box.id,
    boxName: splitter.box.name,
    projectId: splitter.box.projectId,
    splitterId: splitter.id,
    splitterName: splitter.name,
    port: target.port,
  };
}

function draftError(box: string): ConflictError {
  return new ConflictError(
    `box ${box} is only designed (Em projeto) and cannot take customers yet`,
    'box',
  );
}
