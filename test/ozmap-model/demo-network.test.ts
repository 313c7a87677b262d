import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ConflictError } from '../../src/errors.js';
import {
  DEMO_CITY,
  generateDemoNetwork,
  seedDemoIfEmpty,
  seedDemoNetwork,
  type DemoNetwork,
} from '../../src/ozmap-model/demo-network.js';
import { SYSTEM_CONFIG_ID } from '../../src/ozmap-model/system-config.js';
import { freshDatabases, testProviders } from '../support/db.js';

const silent = pino({ level: 'silent' });

function dropSplitterIdsOf(net: DemoNetwork, boxId: string): string[] {
  return net.splitters.filter((s) => s.boxId === boxId && s.isDrop).map((s) => s.id);
}

describe('generateDemoNetwork', () => {
  it('is deterministic: the same seed gives the same network, ids included', () => {
    expect(JSON.stringify(generateDemoNetwork(42))).toBe(JSON.stringify(generateDemoNetwork(42)));
    const other = generateDemoNetwork(43);
    expect(other.boxes[0]?.id).not.toBe(generateDemoNetwork(42).boxes[0]?.id);
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(generateDemoNetwork(42)));
  });

  it('mints unique 24-hex ids', () => {
    const net = generateDemoNetwork(7);
    const ids = [
      net.project.id,
      ...net.poles.map((p) => p.id),
      ...net.boxes.map((b) => b.id),
      ...net.splitters.map((s) => s.id),
      ...net.clients.map((c) => c.id),
      ...net.properties.map((p) => p.id),
      ...net.regions.map((r) => r.id),
    ];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([1, 42, 2024])('is a believable Maringá network (seed %i)', (seed) => {
    const net = generateDemoNetwork(seed);
    expect(net.project.name).toBe('Maringá FTTH');
    expect(net.boxes.length).toBeGreaterThanOrEqual(400);
    expect(net.boxes.length).toBeLessThanOrEqual(600);
    const { south, north, west, east } = DEMO_CITY.bounds;
    for (const point of [...net.boxes, ...net.poles, ...net.properties]) {
      expect(point.lat).toBeGreaterThan(south);
      expect(point.lat).toBeLessThan(north);
      expect(point.lng).toBeGreaterThan(west);
      expect(point.lng).toBeLessThan(east);
    }
    for (const box of net.boxes) {
      expect(box.name).toMatch(/^CTO-MGA-\d{4}$/);
      expect(box.address).toMatch(/^(Av\.|Rua) [^,]+, \d+ - [^,]+, Maringá - PR$/);
      expect(net.poles.some((p) => p.id === box.poleId && p.lat === box.lat)).toBe(true);
    }

    const drafts = net.boxes.filter((b) => b.draft);
    expect(drafts.length).toBeGreaterThan(net.boxes.length * 0.02);
    expect(drafts.length).toBeLessThan(net.boxes.length * 0.1);
    expect(drafts.every((b) => !b.implanted)).toBe(true);

    const held = new Set(net.properties.map((p) => `${p.splitterId}:${p.port}`));
    expect(held.size).toBe(net.properties.length);
    const full = net.boxes.filter((b) => {
      const drops = net.splitters.filter((s) => s.boxId === b.id && s.isDrop);
      return (
        drops.length > 0 &&
        drops.every((s) => range(s.ratioOut).every((i) => held.has(`${s.id}:${i}`)))
      );
    });
    expect(full.length).toBeGreaterThan(10);
    expect(
      net.boxes.filter((b) => dropSplitterIdsOf(net, b.id).length === 0).length,
    ).toBeGreaterThan(5);

    const drops = net.splitters.filter((s) => s.isDrop);
    expect(new Set(drops.map((s) => s.ratioOut))).toEqual(new Set([8, 16]));
    expect(net.splitters.some((s) => !s.isDrop && s.ratioOut === 4)).toBe(true);
    // Only a port with something of its own has a row: here, the blocked ones.
    const ratioOf = new Map(net.splitters.map((s) => [s.id, s.ratioOut]));
    for (const p of net.ports) {
      expect(p.index).toBeGreaterThanOrEqual(1);
      expect(p.index).toBeLessThanOrEqual(ratioOf.get(p.splitterId)!);
    }
    const blocked = net.ports.filter((p) => p.blocked);
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.length).toBe(net.ports.length);
    expect(blocked.some((p) => held.has(`${p.splitterId}:${p.index}`))).toBe(false);

    expect(new Set(net.clients.map((c) => c.code)).size).toBe(net.clients.length);
    expect(net.clients.every((c) => c.implanted && /\S+ \S+/.test(c.name))).toBe(true);
    expect(net.properties.every((p) => drops.some((s) => s.id === p.splitterId))).toBe(true);

    expect(net.regions.length).toBeGreaterThanOrEqual(3);
    const tagNames = net.tags.map((t) => t.name);
    expect(tagNames).toEqual(expect.arrayContaining(['plano-500mb', 'zona-norte', 'condominio']));
    expect(net.tags.every((t) => t.allowedTypesJson === '["region"]')).toBe(true);
    for (const region of net.regions) {
      expect(region.tagIds.length).toBeGreaterThan(0);
      const ring = (JSON.parse(region.polygonJson) as { coordinates: number[][][] }).coordinates[0];
      expect(ring?.[0]).toEqual(ring?.[ring.length - 1]);
    }
  });
});

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

describe.each(testProviders())('seedDemoNetwork on %s', (provider) => {
  const fresh = freshDatabases(provider);

  it('writes the generated network and refuses to seed twice', { timeout: 120_000 }, async () => {
    const db = await fresh();
    const net = generateDemoNetwork(5);
    const counts = await seedDemoNetwork(db, 5);
    expect(counts).toEqual({
      boxes: net.boxes.length,
      splitters: net.splitters.length,
      clients: net.clients.length,
      regions: net.regions.length,
    });
    expect(await db.box.count()).toBe(net.boxes.length);
    expect(await db.pole.count()).toBe(net.poles.length);
    expect(await db.splitterPort.count()).toBe(net.ports.length);
    expect(await db.property.count()).toBe(net.properties.length);
    expect(await db.ftthClient.count({ where: { implanted: true } })).toBe(net.clients.length);
    expect(await db.systemConfig.findUnique({ where: { id: SYSTEM_CONFIG_ID } })).not.toBeNull();
    const north = await db.region.findFirst({
      where: { name: 'Zona Norte' },
      include: { tags: true, projects: true },
    });
    expect(north?.tags.map((t) => t.name).sort()).toEqual(['plano-500mb', 'zona-norte']);
    expect(north?.projects.map((p) => p.name)).toEqual(['Maringá FTTH']);
    const first = net.boxes[0];
    const stored = await db.box.findUnique({ where: { id: first?.id ?? '' } });
    expect(stored).toMatchObject({ name: first?.name, lat: first?.lat, poleId: first?.poleId });

    await expect(seedDemoNetwork(db, 6)).rejects.toBeInstanceOf(ConflictError);
    expect(await db.box.count()).toBe(net.boxes.length);
    expect(await seedDemoIfEmpty(db, 6, silent)).toBeNull();
  });

  it(
    'seedDemoIfEmpty seeds an empty inventory and reuses catalogue rows already there',
    { timeout: 120_000 },
    async () => {
      const db = await fresh();
      await db.tag.create({ data: { id: 'a'.repeat(24), name: 'plano-500mb' } });
      await db.splitterType.create({
        data: { id: 'b'.repeat(24), code: '1x8', isDrop: true, ratioOut: 8 },
      });
      const counts = await seedDemoIfEmpty(db, 9, silent);
      expect(counts?.boxes).toBe(generateDemoNetwork(9).boxes.length);
      expect(await db.tag.count({ where: { name: 'plano-500mb' } })).toBe(1);
      expect(
        await db.splitter.count({ where: { splitterTypeId: 'b'.repeat(24) } }),
      ).toBeGreaterThan(0);
      const centre = await db.region.findFirst({
        where: { name: 'Centro - Zona 01' },
        include: { tags: true },
      });
      expect(centre?.tags.map((t) => t.id)).toContain('a'.repeat(24));
    },
  );
});
