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
  const lockRows = dbProvider(db) === 'postgresql';
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(async (tx) => {
        const slot =
          target.kind === 'box'
            ? await firstFreePort(tx, target, lockRows)
            : await exactPort(tx, target, lockRows);
        return write(tx, slot);
      }, TX_OPTIONS);
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= MAX_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

async function lockBox(tx: Tx, boxId: string): Promise<void> {
  await tx.$queryRawUnsafe('SELECT 1 FROM "Box" WHERE "id" = $1 FOR UPDATE', boxId);
}

async function firstFreePort(
  tx: Tx,
  target: Extract<PortTarget, { kind: 'box' }>,
  lockRows: boolean,
): Promise<AllocatedPort> {
  if (lockRows) await lockBox(tx, target.boxId);
  const box = await tx.box.findUnique({
    where: { id: target.boxId },
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
          properties: { where: { port: { not: null } }, select: { port: true } },
        },
      },
    },
  });
  if (!box) throw new NotFoundError('box', target.boxId);
  const label = box.name ?? box.id;
  if (box.draft && !target.allowDraft) throw draftError(label);
  if (box.splitters.length === 0) {
    throw new ConflictError(`box ${label} has no drop splitter (splitter de atendimento)`, 'box');
  }
  for (const s of box.splitters) {
    const unavailable = new Set<number>([
      ...s.ports.map((p) => p.index),
      ...s.properties.map((p) => p.port ?? 0),
    ]);
    for (let port = 1; port <= s.ratioOut; port++) {
      if (unavailable.has(port)) continue;
      return {
        boxId: box.id,
        boxName: box.name,
        projectId: box.projectId,
        splitterId: s.id,
        splitterName: s.name,
        port,
      };
    }
  }
  throw new NoFreePortError(`box ${label} has no free port`);
}

async function exactPort(
  tx: Tx,
  target: Extract<PortTarget, { kind: 'port' }>,
  lockRows: boolean,
): Promise<AllocatedPort> {
  if (!Number.isInteger(target.port) || target.port < 1) {
    throw new ValidationError(
      `port must be a positive integer, got ${String(target.port)}`,
      'port',
    );
  }
  if (lockRows) {
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
