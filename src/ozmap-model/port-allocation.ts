import { ConflictError, NoFreePortError, NotFoundError, ValidationError } from '../errors.js';
import { isUniqueViolation, type Db, type Tx } from './db/client.js';

export type { Tx };

/** Where a property should be connected: any free drop port of a box, or one exact port. */
export type PortTarget =
  | { kind: 'box'; boxId: string; allowDraft?: boolean }
  | { kind: 'port'; splitterId: string; port: number; allowDraft?: boolean };

export interface AllocatedPort {
  boxId: string;
  projectId: string;
  splitterId: string;
  splitterName: string | null;
  port: number;
}

const MAX_ATTEMPTS = 8;
const TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 };

/**
 * Chooses a free port for `target` and runs `write` with it in the same transaction. Two writers
 * racing for one port are settled by the database's unique (splitterId, port) constraint: the
 * loser's transaction rolls back and it tries again with what is free now.
 */
export async function withFreePort<T>(
  db: Db,
  target: PortTarget,
  write: (tx: Tx, slot: AllocatedPort) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(async (tx) => {
        const slot =
          target.kind === 'box' ? await firstFreePort(tx, target) : await exactPort(tx, target);
        return write(tx, slot);
      }, TX_OPTIONS);
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

async function firstFreePort(
  tx: Tx,
  target: Extract<PortTarget, { kind: 'box' }>,
): Promise<AllocatedPort> {
  const box = await tx.box.findUnique({
    where: { id: target.boxId },
    select: { id: true, name: true, projectId: true, draft: true },
  });
  if (!box) throw new NotFoundError('box', target.boxId);
  if (box.draft && !target.allowDraft) throw draftError(box.name ?? box.id);
  const splitters = await tx.splitter.findMany({
    where: { boxId: box.id, isDrop: true },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: {
      id: true,
      name: true,
      ratioOut: true,
      ports: { where: { blocked: true }, select: { index: true } },
      properties: { where: { port: { not: null } }, select: { port: true } },
    },
  });
  if (splitters.length === 0) {
    throw new ConflictError(
      `box ${box.name ?? box.id} has no drop splitter (splitter de atendimento)`,
      'box',
    );
  }
  for (const s of splitters) {
    const unavailable = new Set<number>([
      ...s.ports.map((p) => p.index),
      ...s.properties.map((p) => p.port ?? 0),
    ]);
    for (let port = 1; port <= s.ratioOut; port++) {
      if (!unavailable.has(port)) {
        return {
          boxId: box.id,
          projectId: box.projectId,
          splitterId: s.id,
          splitterName: s.name,
          port,
        };
      }
    }
  }
  throw new NoFreePortError(`box ${box.name ?? box.id} has no free port`);
}

async function exactPort(
  tx: Tx,
  target: Extract<PortTarget, { kind: 'port' }>,
): Promise<AllocatedPort> {
  if (!Number.isInteger(target.port) || target.port < 1) {
    throw new ValidationError(
      `port must be a positive integer, got ${String(target.port)}`,
      'port',
    );
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
  if (splitter.ports[0]?.blocked)
    throw new ConflictError(`port ${target.port} of splitter ${label} is blocked`, 'port');
  if (splitter.properties.length > 0)
    throw new NoFreePortError(`port ${target.port} of splitter ${label} is already taken`);
  return {
    boxId: splitter.box.id,
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
