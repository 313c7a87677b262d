import type { Prisma } from '../../generated/sqlite/client.js';
import type { Plan } from './plan-types.js';
import type { Tx } from './snapshot.js';

const CHUNK = 500;

async function inChunks<T>(rows: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

/** Writes a problem-free plan. Runs inside the import's transaction; order follows references. */
export async function applyPlan(tx: Tx, plan: Plan): Promise<void> {
  if (plan.project.create) {
    await tx.project.create({ data: { id: plan.project.id, name: plan.project.name } });
  }
  await tx.boxType.createMany({ data: plan.boxTypes });
  await tx.splitterType.createMany({ data: plan.splitterTypes });
  await tx.regionType.createMany({ data: plan.regionTypes });
  await tx.tag.createMany({
    data: plan.tags.map((t) => ({
      id: t.id,
      name: t.name,
      allowedTypesJson: JSON.stringify([...t.kinds].sort()),
    })),
  });

  await inChunks(plan.poles.create, (rows) =>
    tx.pole.createMany({ data: rows as Prisma.PoleCreateManyInput[] }),
  );
  for (const { id, data } of plan.poles.update) await tx.pole.update({ where: { id }, data });

  await inChunks(plan.boxes.create, (rows) =>
    tx.box.createMany({ data: rows as Prisma.BoxCreateManyInput[] }),
  );
  for (const { id, data } of plan.boxes.update) await tx.box.update({ where: { id }, data });
  for (const { id, tagIds } of plan.boxes.tags) {
    await tx.box.update({
      where: { id },
      data: { tags: { connect: tagIds.map((t) => ({ id: t })) } },
    });
  }

  await inChunks(plan.splitters.create, (rows) =>
    tx.splitter.createMany({ data: rows as Prisma.SplitterCreateManyInput[] }),
  );
  for (const { id, data } of plan.splitters.update)
    await tx.splitter.update({ where: { id }, data });
  for (const { splitterId, keep } of plan.ports.removeAbove) {
    await tx.splitterPort.deleteMany({ where: { splitterId, index: { gt: keep } } });
  }
  await inChunks(plan.ports.create, (data) => tx.splitterPort.createMany({ data }));
  for (const { splitterId, indexes, blocked } of plan.ports.setBlocked) {
    await tx.splitterPort.updateMany({
      where: { splitterId, index: { in: indexes } },
      data: { blocked },
    });
  }

  for (const { tagIds, regionTypeId, ...region } of plan.regions.create) {
    await tx.region.create({
      data: {
        ...region,
        regionType: { connect: { id: regionTypeId } },
        tags: { connect: tagIds.map((id) => ({ id })) },
        projects: { connect: [{ id: plan.project.id }] },
      },
    });
  }
  for (const { id, data } of plan.regions.update) await tx.region.update({ where: { id }, data });
}
