import type { Db } from '../../src/ozmap-model/db/client.js';
import { newId } from '../../src/ids.js';

export interface FixtureBox {
  boxId: string;
  projectId: string;
  splitterIds: string[];
}

export interface BoxSpec {
  name?: string;
  lat?: number;
  lng?: number;
  draft?: boolean;
  /** One entry per splitter: its output count and drop flag. */
  splitters?: Array<{ ratio: number; isDrop?: boolean; blocked?: number[]; taken?: number[] }>;
}

/** Inserts a project (once), a box and its splitters with ports; `taken` ports get properties. */
export async function createBox(db: Db, spec: BoxSpec = {}): Promise<FixtureBox> {
  const projectId = await ensureProject(db);
  const boxId = newId();
  await db.box.create({
    data: {
      id: boxId,
      name: spec.name ?? `CTO-${boxId.slice(-6)}`,
      projectId,
      lat: spec.lat ?? -23.4253,
      lng: spec.lng ?? -51.9386,
      draft: spec.draft ?? false,
    },
  });
  const splitterIds: string[] = [];
  for (const [i, s] of (spec.splitters ?? [{ ratio: 8, isDrop: true }]).entries()) {
    const typeId = await ensureSplitterType(db, s.ratio, s.isDrop ?? true);
    const splitterId = newId();
    splitterIds.push(splitterId);
    await db.splitter.create({
      data: {
        id: splitterId,
        name: `S${i + 1}`,
        boxId,
        projectId,
        splitterTypeId: typeId,
        ratioOut: s.ratio,
        isDrop: s.isDrop ?? true,
        // an open port has no row of its own
        ports: { create: (s.blocked ?? []).map((index) => ({ index, blocked: true })) },
      },
    });
    for (const port of s.taken ?? []) {
      await db.property.create({ data: { id: newId(), projectId, boxId, splitterId, port } });
    }
  }
  return { boxId, projectId, splitterIds };
}

export async function ensureProject(db: Db): Promise<string> {
  const existing = await db.project.findFirst({ select: { id: true } });
  if (existing) return existing.id;
  const id = newId();
  await db.project.create({ data: { id, name: 'Test project' } });
  return id;
}

async function ensureSplitterType(db: Db, ratio: number, isDrop: boolean): Promise<string> {
  const code = `1x${ratio}${isDrop ? '' : '-dist'}`;
  const found = await db.splitterType.findUnique({ where: { code } });
  if (found) return found.id;
  const id = newId();
  await db.splitterType.create({ data: { id, code, ratioOut: ratio, isDrop } });
  return id;
}
