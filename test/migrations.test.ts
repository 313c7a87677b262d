import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, testProviders, type TestDatabase } from './support/db.js';
import { applyMigrations, readMigrations } from '../src/ozmap-model/db/migrate.js';

function modelsOf(path: string): string {
  return readFileSync(path, 'utf8').replace(/^[\s\S]*?\ndatasource db \{[^}]*\}\n/, '');
}

describe('schemas', () => {
  it('define the same models for SQLite and PostgreSQL', () => {
    expect(modelsOf('prisma/sqlite/schema.prisma')).toBe(modelsOf('prisma/postgres/schema.prisma'));
  });

  it('have the same migration names for both providers', () => {
    expect(readMigrations('sqlite').map((m) => m.name)).toEqual(
      readMigrations('postgresql').map((m) => m.name),
    );
  });
});

describe.each(testProviders())('migrations on %s', (provider) => {
  const opened: TestDatabase[] = [];
  afterAll(async () => Promise.all(opened.map((d) => d.drop())));

  it('apply once, record each in _prisma_migrations, and are a no-op the second time', async () => {
    const t = await freshDatabase(provider);
    opened.push(t);
    const again = await applyMigrations(t.url);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied.sort()).toEqual(readMigrations(provider).map((m) => m.name));
    const rows = await t.db.$queryRawUnsafe<Array<{ migration_name: string; checksum: string }>>(
      'SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(
      readMigrations(provider).map((m) => [m.name, m.checksum]),
    );
  });

  it('enforce one property per splitter port in the database itself', async () => {
    const t = await freshDatabase(provider);
    opened.push(t);
    const { db } = t;
    await db.project.create({ data: { id: 'p'.padEnd(24, '0'), name: 'P' } });
    await db.box.create({
      data: { id: 'b'.padEnd(24, '0'), projectId: 'p'.padEnd(24, '0'), lng: -48, lat: -27 },
    });
    await db.splitterType.create({
      data: { id: 't'.padEnd(24, '0'), code: '1x8', ratioOut: 8, isDrop: true },
    });
    await db.splitter.create({
      data: {
        id: 's'.padEnd(24, '0'),
        boxId: 'b'.padEnd(24, '0'),
        projectId: 'p'.padEnd(24, '0'),
        splitterTypeId: 't'.padEnd(24, '0'),
        ratioOut: 8,
        isDrop: true,
      },
    });
    const property = (id: string) => ({
      id: id.padEnd(24, '0'),
      projectId: 'p'.padEnd(24, '0'),
      splitterId: 's'.padEnd(24, '0'),
      port: 3,
    });
    await db.property.create({ data: property('a') });
    await expect(db.property.create({ data: property('c') })).rejects.toMatchObject({
      code: 'P2002',
    });
    expect(await db.property.count()).toBe(1);
  });
});
