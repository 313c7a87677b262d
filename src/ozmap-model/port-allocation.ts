import { ConflictError, NoFreePortError, NotFoundError, ValidationError } from '../errors.js';
import { dbProvider, isUniqueViolation, type Db, type Tx } from './db/client.js';
import type { PortPolicy } from '../viability/index.js';
import type { SyncSql } from './db/sqlite-sync.js';
import { pgUniqueViolation, type PgSql } from './db/pg-write.js';

export type { Tx };

/** Where a property should be connected: any free drop port of a box, or one exact port. */
export type PortTarget =
  | {
      kind: 'box';
      boxId: string;
      allowDraft?: boolean;
      /** Ports besides the free ones the caller may take (its viability settings). */
      ports?: PortPolicy;
      /** Appended to the observation of a vacant property that gives its port up. */
      vacatedNote?: string;
    }
  | { kind: 'port'; splitterId: string; port: number; allowDraft?: boolean };

export interface AllocatedPort {
  boxId: string;
  boxName: string | null;
  projectId: string;
  splitterId: string;
  splitterName: string | null;
  splitterImplanted: boolean;
  port: number;
  /** When via = 'vacant': the property that held the port (disconnected before the write). */
  vacantPropertyId?: string;
  /** How the port was had: free, given up by a vacant property, or blocked. */
  via: 'free' | 'vacant' | 'blocked';
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
  return retry(
    () =>
      db.$transaction(async (tx) => {
        const slot = await choosePortInTx(tx, target, onPostgres);
        return write(tx, slot);
      }, TX_OPTIONS),
    isUniqueViolation,
  );
}

/** A plain-SQL port writer (pgWrite) run again while a race on a port refuses it. */
export function retryOnTakenPort<T>(run: () => Promise<T>): Promise<T> {
  return retry(run, (err) => pgUniqueViolation(err) === 'Property_splitterId_port_key');
}

async function retry<T>(run: () => Promise<T>, lostRace: (err: unknown) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!lostRace(err) || attempt >= MAX_ATTEMPTS) throw err;
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
 * box on PostgreSQL), for writers that change more than the port in that transaction. A port a
 * vacant property gives up (the caller's PortPolicy) is freed here, in the same transaction.
 */
export async function choosePortInTx(
  tx: Tx,
  target: PortTarget,
  onPostgres: boolean,
): Promise<AllocatedPort> {
  const slot =
    target.kind === 'box'
      ? await firstFreePort(tx, target, onPostgres)
      : await exactPort(tx, target, onPostgres);
  if (slot.vacantPropertyId) await vacate(tx, slot.vacantPropertyId, target);
  return slot;
}

// One row shape for the box, its splitters and their ports. For 'taken' rows `name` is the holding
// property's id and `projectId` its client id (null: a vacant property); `flag` is 1 for a draft
// box and an implanted splitter.
interface PortRow {
  kind: string;
  id: string;
  name: string | null;
  projectId: string | null;
  num: number | bigint | boolean | null;
  flag: number | bigint | null;
}

// The box, its drop splitters, their blocked ports and their held ports in one round trip: each
// query costs far more in the client than in the database, and this is the reservation hot path.
const BOX_PORTS_SQL_PG = `
SELECT 'box' AS kind, b."id" AS id, b."name" AS name, b."projectId" AS "projectId",
       NULL AS num, CASE WHEN b."draft" THEN 1 ELSE 0 END AS flag
  FROM "Box" b WHERE b."id" = $1
UNION ALL
SELECT 'splitter', s."id", s."name", NULL, s."ratioOut", CASE WHEN s."implanted" THEN 1 ELSE 0 END
  FROM "Splitter" s WHERE s."boxId" = $1 AND s."isDrop" = TRUE
UNION ALL
SELECT 'blocked', sp."splitterId", NULL, NULL, sp."index", NULL
  FROM "SplitterPort" sp JOIN "Splitter" s ON s."id" = sp."splitterId"
 WHERE s."boxId" = $1 AND s."isDrop" = TRUE AND sp."blocked" = TRUE
UNION ALL
SELECT 'taken', p."splitterId", p."id", p."clientId", p."port", NULL
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
  return pickPort(rows, target);
}

/**
 * choosePortInTx for a box target inside a synchronous SQLite transaction (writeSync), the
 * vacant property's port freed in it too.
 */
export function chooseBoxPortSync(
  sql: SyncSql,
  target: Extract<PortTarget, { kind: 'box' }>,
): AllocatedPort {
  const rows = sql.all<PortRow>(BOX_PORTS_SQL_SQLITE, ...Array<string>(4).fill(target.boxId));
  const slot = pickPort(rows, target);
  if (slot.vacantPropertyId)
    sql.run(VACATE_SQL_SQLITE, ...vacateArgs(slot.vacantPropertyId, target));
  return slot;
}

/**
 * choosePortInTx for a box target inside a plain PostgreSQL transaction (pgWrite): the box row
 * locked, the vacant property's port freed in it too.
 */
export async function chooseBoxPortPg(
  sql: PgSql,
  target: Extract<PortTarget, { kind: 'box' }>,
): Promise<AllocatedPort> {
  await sql.all('SELECT 1 FROM "Box" WHERE "id" = $1 FOR UPDATE', target.boxId);
  const slot = pickPort(await sql.all<PortRow>(BOX_PORTS_SQL_PG, target.boxId), target);
  if (slot.vacantPropertyId)
    await sql.run(VACATE_SQL_PG, ...vacateArgs(slot.vacantPropertyId, target));
  return slot;
}

/** The first port of the box's rows that the target may take: free, then as its policy allows. */
function pickPort(rows: PortRow[], target: Extract<PortTarget, { kind: 'box' }>): AllocatedPort {
  const box = rows.find((r) => r.kind === 'box');
  if (!box) throw new NotFoundError('box', target.boxId);
  const label = box.name ?? box.id;
  if (Number(box.flag) === 1 && !target.allowDraft) throw draftError(label);
  const splitters = rows
    .filter((r) => r.kind === 'splitter')
    .sort((a, b) => compareNullable(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (splitters.length === 0) {
    throw new ConflictError(`box ${label} has no drop splitter (splitter de atendimento)`, 'box');
  }
  const key = (r: PortRow) => `${r.id}:${Number(r.num)}`;
  const blocked = new Set(rows.filter((r) => r.kind === 'blocked').map(key));
  const holders = new Map(rows.filter((r) => r.kind === 'taken').map((r) => [key(r), r]));
  const policy = target.ports ?? {};
  // Free ports first; then, as the caller's settings allow, ports of vacant properties (their
  // customer left; the drop may still be there), then blocked ports.
  const passes: Array<{ via: AllocatedPort['via']; ok: (k: string) => boolean }> = [
    { via: 'free', ok: (k) => !holders.has(k) && !blocked.has(k) },
  ];
  const vacantOk = (k: string) => holders.get(k)?.projectId === null;
  if (policy.vacantAsFree) {
    passes.push({
      via: 'vacant',
      ok: (k) => vacantOk(k) && (!blocked.has(k) || !!policy.blockedAsFree),
    });
  }
  if (policy.blockedAsFree)
    passes.push({ via: 'blocked', ok: (k) => blocked.has(k) && !holders.has(k) });
  for (const pass of passes) {
    for (const s of splitters) {
      const ratio = Number(s.num);
      for (let port = 1; port <= ratio; port++) {
        const k = `${s.id}:${port}`;
        if (!pass.ok(k)) continue;
        return {
          boxId: box.id,
          boxName: box.name,
          projectId: box.projectId ?? '',
          splitterId: s.id,
          splitterName: s.name,
          splitterImplanted: Number(s.flag) === 1,
          port,
          via: pass.via,
          ...(pass.via === 'vacant' ? { vacantPropertyId: holders.get(k)!.name! } : {}),
        };
      }
    }
  }
  throw new NoFreePortError(`box ${label} has no free port`);
}

function vacatedNote(target: PortTarget): string {
  return (target.kind === 'box' && target.vacatedNote) || 'Porta cedida a uma nova venda.';
}

function vacatedObservation(observation: string | null, target: PortTarget): string {
  const note = vacatedNote(target);
  return observation ? `${observation}\n${note}` : note;
}

// vacate() in one statement for the raw writers: a property someone moved into meanwhile is left
// alone, and the unique (splitter, port) constraint then refuses the write.
const VACATE_SQL_PG = `UPDATE "Property" SET "splitterId" = NULL, "port" = NULL,
  "observation" = CASE WHEN COALESCE("observation", '') = '' THEN $1 ELSE "observation" || $2 END,
  "updatedAt" = $3 WHERE "id" = $4 AND "clientId" IS NULL`;
// Each $n appears once, in order, so SQLite's positional `?` binds the same arguments.
const VACATE_SQL_SQLITE = VACATE_SQL_PG.replace(/\$\d/g, '?');

function vacateArgs(propertyId: string, target: PortTarget): [string, string, Date, string] {
  const note = vacatedNote(target);
  return [note, `\n${note}`, new Date(), propertyId];
}

/**
 * A vacant property gives its port up to a sale ("consider ports of properties as free"): it is
 * disconnected and its observation says who took the port, as OZmap does.
 */
async function vacate(tx: Tx, propertyId: string, target: PortTarget): Promise<void> {
  const current = await tx.property.findUnique({
    where: { id: propertyId },
    select: { observation: true, clientId: true },
  });
  // Someone moved in meanwhile: let the unique (splitter, port) constraint refuse the write.
  if (!current || current.clientId !== null) return;
  await tx.property.update({
    where: { id: propertyId },
    data: {
      splitterId: null,
      port: null,
      observation: vacatedObservation(current.observation, target),
    },
  });
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
      implanted: true,
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
    splitterImplanted: splitter.implanted,
    port: target.port,
    via: 'free',
  };
}

function draftError(box: string): ConflictError {
  return new ConflictError(
    `box ${box} is only designed (Em projeto) and cannot take customers yet`,
    'box',
  );
}
