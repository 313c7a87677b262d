import { newId } from '../../src/ids.js';
import { flushAll, withRawSession } from '../../src/ozmap-model/db/raw.js';

// A network past both databases' parameter limits (SQLite 999 through Prisma, PostgreSQL 32 766),
// written in seconds with the raw batched inserter. Every box's port state follows a pattern the
// tests can recompute: expectedFreePorts(i).

export const SPLITTERS_PER_BOX = 2;
export const PORTS = 8;

/** Box i is at a grid point of ~30 m spacing around Maringá. */
export function positionOf(i: number): { lat: number; lng: number } {
  return { lat: -23.4 + Math.floor(i / 150) * 0.00027, lng: -51.95 + (i % 150) * 0.0003 };
}

const isDraft = (i: number) => i % 50 === 7;
const blocksPortOne = (i: number) => i % 3 === 0;
const holdsPortTwo = (i: number) => i % 2 === 0;
const holdsPortOne = (i: number) => i % 7 === 0; // blocked and held when i % 21 === 0: counts once

/** Free ports of box i: both splitters' outputs, less blocked and held ports (each once). */
export function expectedFreePorts(i: number): number {
  let taken = 0;
  if (blocksPortOne(i) || holdsPortOne(i)) taken++;
  if (holdsPortTwo(i)) taken++;
  // the second splitter has port 8 blocked on every fifth box
  if (i % 5 === 0) taken++;
  return SPLITTERS_PER_BOX * PORTS - taken;
}

/** The port rows of boxes 0..boxes-1: one per blocked port. */
export function blockedPortCount(boxes: number): number {
  let n = 0;
  for (let i = 0; i < boxes; i++) n += (blocksPortOne(i) ? 1 : 0) + (i % 5 === 0 ? 1 : 0);
  return n;
}

export interface BigNetwork {
  boxIds: string[];
  splitters: number;
  properties: number;
}

export async function buildBigNetwork(url: string, boxes: number): Promise<BigNetwork> {
  const projectId = newId();
  const typeId = newId();
  const boxIds = Array.from({ length: boxes }, () => newId());
  let properties = 0;
  await withRawSession(url, 'write', async (s) => {
    const now = new Date();
    await s.run('INSERT INTO "Project" ("id", "name", "updatedAt") VALUES (?, ?, ?)', [
      projectId,
      'Provedor Grande',
      now,
    ]);
    await s.run(
      'INSERT INTO "SplitterType" ("id", "code", "isDrop", "ratioIn", "ratioOut", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)',
      [typeId, '1x8', true, 1, PORTS, now],
    );
    const box = s.inserter('Box', [
      'id',
      'name',
      'projectId',
      'lat',
      'lng',
      'draft',
      'implanted',
      'updatedAt',
    ]);
    const splitter = s.inserter('Splitter', [
      'id',
      'name',
      'boxId',
      'projectId',
      'splitterTypeId',
      'isDrop',
      'ratioIn',
      'ratioOut',
      'updatedAt',
    ]);
    const port = s.inserter('SplitterPort', ['splitterId', 'index', 'blocked']);
    const property = s.inserter('Property', [
      'id',
      'projectId',
      'boxId',
      'splitterId',
      'port',
      'lat',
      'lng',
      'updatedAt',
    ]);
    const all = [box, splitter, port, property];
    for (let i = 0; i < boxes; i++) {
      const { lat, lng } = positionOf(i);
      let full = box.add([
        boxIds[i],
        `CTO-${String(i).padStart(6, '0')}`,
        projectId,
        lat,
        lng,
        isDraft(i),
        !isDraft(i),
        now,
      ]);
      for (let k = 0; k < SPLITTERS_PER_BOX; k++) {
        const sid = newId();
        full =
          splitter.add([
            sid,
            `Splitter ${k + 1}`,
            boxIds[i],
            projectId,
            typeId,
            true,
            1,
            PORTS,
            now,
          ]) || full;
        for (let p = 1; p <= PORTS; p++) {
          const blocked =
            (k === 0 && p === 1 && blocksPortOne(i)) || (k === 1 && p === 8 && i % 5 === 0);
          // As imports write them: a row only for a port with a state of its own.
          if (blocked) full = port.add([sid, p, true]) || full;
        }
        const held =
          k === 0 ? [holdsPortOne(i) ? 1 : 0, holdsPortTwo(i) ? 2 : 0].filter(Boolean) : [];
        for (const p of held) {
          properties++;
          full = property.add([newId(), projectId, boxIds[i], sid, p, lat, lng, now]) || full;
        }
      }
      if (full) await flushAll(all);
    }
    await flushAll(all);
  });
  return { boxIds, splitters: boxes * SPLITTERS_PER_BOX, properties };
}
