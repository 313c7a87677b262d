import type { Inserter, RawSession } from '../db/raw.js';
import type { RowUpdate, Writes } from './plan-types.js';

type Row = Record<string, unknown>;

/**
 * Writes a stretch of a problem-free plan with plain SQL in the import's own transaction (one
 * connection, no timeout): batched inserts, then the updates, table by table in the order
 * references need. Every statement is sent without waiting for its answer (RawSession.send), so
 * on PostgreSQL the server writes one stretch while this process reads the next.
 */
export async function applyWrites(s: RawSession, plan: Writes, now: Date): Promise<void> {
  if (plan.project.create) {
    await s.send('INSERT INTO "Project" ("id", "name", "updatedAt") VALUES (?, ?, ?)', [
      plan.project.id,
      plan.project.name,
      now,
    ]);
  }
  for (const t of plan.boxTypes) {
    await s.send('INSERT INTO "BoxType" ("id", "code", "updatedAt") VALUES (?, ?, ?)', [
      t.id,
      t.code,
      now,
    ]);
  }
  for (const t of plan.splitterTypes) {
    await s.send(
      'INSERT INTO "SplitterType" ("id", "code", "isDrop", "ratioIn", "ratioOut", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)',
      [t.id, t.code, t.isDrop, t.ratioIn, t.ratioOut, now],
    );
  }
  for (const t of plan.regionTypes) {
    await s.send('INSERT INTO "RegionType" ("id", "name", "updatedAt") VALUES (?, ?, ?)', [
      t.id,
      t.name,
      now,
    ]);
  }
  for (const t of plan.tags) {
    await s.send(
      'INSERT INTO "Tag" ("id", "name", "allowedTypesJson", "updatedAt") VALUES (?, ?, ?, ?)',
      [t.id, t.name, JSON.stringify(t.kinds), now],
    );
  }
  for (const t of plan.tagKinds) {
    await s.send('UPDATE "Tag" SET "allowedTypesJson" = ?, "updatedAt" = ? WHERE "id" = ?', [
      JSON.stringify(t.kinds),
      now,
      t.id,
    ]);
  }

  await insertRows(s, 'Pole', plan.poles.create, now);
  await updateRows(s, 'Pole', plan.poles.update, now);
  await insertRows(s, 'Span', plan.spans.create, now);
  await updateRows(s, 'Span', plan.spans.update, now);

  await insertRows(s, 'Box', plan.boxes.create, now);
  await updateRows(s, 'Box', plan.boxes.update, now, '_BoxToTag');
  const boxTags = s.inserter('_BoxToTag', ['A', 'B']);
  for (const { id, tagIds } of plan.boxes.tags) {
    for (const tagId of tagIds) if (boxTags.add([id, tagId])) await boxTags.flush();
  }
  await boxTags.flush();

  await insertRows(s, 'Splitter', plan.splitters.create, now);
  await updateRows(s, 'Splitter', plan.splitters.update, now);
  for (const { splitterId, keep } of plan.ports.removeAbove) {
    await s.send('DELETE FROM "SplitterPort" WHERE "splitterId" = ? AND "index" > ?', [
      splitterId,
      keep,
    ]);
  }
  const ports = s.inserter('SplitterPort', ['splitterId', 'index', 'blocked']);
  // inserters copy what they are given, so one row array serves every port
  const port: [string, number, boolean] = ['', 0, true];
  for (const { splitterId, indexes } of plan.ports.create) {
    port[0] = splitterId;
    for (const index of indexes) {
      port[1] = index;
      if (ports.add(port)) await ports.flush();
    }
  }
  await ports.flush();
  for (const { splitterId, indexes, blocked } of plan.ports.setBlocked) {
    await s.send(
      `UPDATE "SplitterPort" SET "blocked" = ? WHERE "splitterId" = ? AND "index" IN (${indexes.map(() => '?').join(', ')})`,
      [blocked, splitterId, ...indexes],
    );
  }

  for (const { tagIds, ...region } of plan.regions.create) {
    await s.send(
      'INSERT INTO "Region" ("id", "externalId", "name", "polygonJson", "regionTypeId", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)',
      [region.id, region.externalId, region.name, region.polygonJson, region.regionTypeId, now],
    );
    for (const tagId of tagIds) {
      await s.send('INSERT INTO "_RegionToTag" ("A", "B") VALUES (?, ?)', [region.id, tagId]);
    }
    await s.send('INSERT INTO "_ProjectToRegion" ("A", "B") VALUES (?, ?)', [
      plan.project.id,
      region.id,
    ]);
  }
  await updateRows(s, 'Region', plan.regions.update, now, '_RegionToTag');
}

async function insertRows(s: RawSession, table: string, rows: Row[], now: Date): Promise<void> {
  // Rows of one kind are made by one planner function, so they share their keys.
  let inserter: Inserter | undefined;
  let columns: string[] = [];
  for (const row of rows) {
    if (!inserter) {
      columns = Object.keys(row);
      inserter = s.inserter(table, [...columns, 'updatedAt']);
    }
    const values = columns.map((c) => row[c]);
    values.push(now);
    if (inserter.add(values)) await inserter.flush();
  }
  await inserter?.flush();
}

/** Column updates, plus `tags: { set: [{ id }] }` rewritten as the join table's rows. */
async function updateRows(
  s: RawSession,
  table: string,
  updates: RowUpdate[],
  now: Date,
  tagTable?: string,
): Promise<void> {
  for (const { id, data } of updates) {
    const { tags, ...columns } = data as Row & { tags?: { set: Array<{ id: string }> } };
    const names = Object.keys(columns);
    await s.send(
      `UPDATE "${table}" SET ${[...names, 'updatedAt'].map((c) => `"${c}" = ?`).join(', ')} WHERE "id" = ?`,
      [...names.map((c) => columns[c]), now, id],
    );
    if (tags && tagTable) {
      await s.send(`DELETE FROM "${tagTable}" WHERE "A" = ?`, [id]);
      for (const t of tags.set)
        await s.send(`INSERT INTO "${tagTable}" ("A", "B") VALUES (?, ?)`, [id, t.id]);
    }
  }
}
