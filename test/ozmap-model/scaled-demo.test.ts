import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ConflictError } from '../../src/errors.js';
import {
  BOXES_PER_CITY,
  generateScaledNetwork,
} from '../../src/ozmap-model/demo-network/scaled.js';
import { seedScaledNetwork } from '../../src/ozmap-model/demo-network/seed-scaled.js';
import { SPAN_POSITION_TOLERANCE } from '../../src/ozmap-model/geojson/plan.js';
import { ViabilityService } from '../../src/services/viability-service.js';
import { haversineMeters } from '../../src/viability/index.js';
import { freshDatabase, testProviders } from '../support/db.js';

function digest(seed: number, boxes: number): string {
  const hash = createHash('sha256');
  for (const rows of generateScaledNetwork(seed, boxes).rows()) hash.update(JSON.stringify(rows));
  return hash.digest('hex');
}

describe('generateScaledNetwork', () => {
  it('is deterministic by seed and makes exactly the boxes asked for', () => {
    expect(digest(42, 2000)).toBe(digest(42, 2000));
    expect(digest(43, 2000)).not.toBe(digest(42, 2000));
    let boxes = 0;
    for (const rows of generateScaledNetwork(7, 1234).rows()) boxes += rows.boxes.length;
    expect(boxes).toBe(1234);
  });

  it(
    'spreads a large network over cities, each box on a pole with believable names and addresses',
    { timeout: 120_000 },
    () => {
      const net = generateScaledNetwork(1, BOXES_PER_CITY + 500);
      expect(net.projects.map((p) => p.name)).toEqual(['Maringá FTTH', 'Londrina FTTH']);
      expect(net.regions).toHaveLength(6);
      const ids = new Set<string>();
      let customers = 0;
      let splitters = 0;
      const seen = { MGA: 0, LDA: 0 };
      const wrong: string[] = [];
      const name = /^CTO-(MGA|LDA)-\d{6}$/;
      const address = /^(Av\.|Rua) [^,]+, \d+ - Zona \d+, (Maringá|Londrina) - PR$/;
      for (const rows of net.rows()) {
        const box = rows.boxes[0]!;
        if (box.poleId !== rows.poles[0]!.id) wrong.push(`${box.name}: pole`);
        if (!name.test(box.name)) wrong.push(`${box.name}: name`);
        if (!address.test(box.address)) wrong.push(`${box.name}: ${box.address}`);
        const city = box.name.slice(4, 7) as 'MGA' | 'LDA';
        seen[city]++;
        // Maringá around (-23.43, -51.94), Londrina around (-23.30, -51.17)
        const [lat, lng] = city === 'MGA' ? [-23.4253, -51.9386] : [-23.3045, -51.1696];
        if (Math.abs(box.lat - lat) > 0.15 || Math.abs(box.lng - lng) > 0.15) {
          wrong.push(`${box.name}: at ${box.lat},${box.lng}`);
        }
        for (const r of [...rows.boxes, ...rows.splitters, ...rows.clients, ...rows.properties]) {
          if (!/^[0-9a-f]{24}$/.test(r.id)) wrong.push(`${r.id}: id`);
          ids.add(r.id);
        }
        customers += rows.clients.length;
        splitters += rows.splitters.length;
      }
      expect(wrong.slice(0, 5)).toEqual([]);
      expect(seen).toEqual({ MGA: BOXES_PER_CITY, LDA: 500 });
      expect(ids.size).toBe(BOXES_PER_CITY + 500 + splitters + 2 * customers);
      expect(splitters / (BOXES_PER_CITY + 500)).toBeGreaterThan(1.2);
      expect(customers / (BOXES_PER_CITY + 500)).toBeGreaterThan(3);
    },
  );

  it(
    'joins poles only along a street or round a corner, even where street names repeat',
    { timeout: 240_000 },
    () => {
      // 400 000 boxes (ten cities) hold streets of the same generated name; a span must never
      // run between two of them (kilometres apart, as the 1 000 000-box seed's import found).
      const net = generateScaledNetwork(42, BOXES_PER_CITY * 10);
      const poles = new Map<string, { lat: number; lng: number }>();
      const wrong: string[] = [];
      let spans = 0;
      for (const rows of net.rows()) {
        for (const p of rows.poles) poles.set(p.id, p);
        for (const sp of rows.spans) {
          spans++;
          const [a, b] = [poles.get(sp.poleAId)!, poles.get(sp.poleBId)!];
          const straight = haversineMeters(a.lat, a.lng, b.lat, b.lng);
          if (straight > 400) wrong.push(`${sp.name}: ${Math.round(straight)} m between its poles`);
          if (sp.length !== null && sp.length + SPAN_POSITION_TOLERANCE < straight)
            wrong.push(`${sp.name}: ${sp.length} m < ${Math.round(straight)} m`);
        }
      }
      expect(spans).toBeGreaterThan(BOXES_PER_CITY * 10 * 0.9);
      expect(wrong.slice(0, 5)).toEqual([]);
    },
  );

  it('refuses sizes it cannot make', () => {
    expect(() => generateScaledNetwork(1, 0)).toThrow(/boxes must be an integer from 1/);
    expect(() => generateScaledNetwork(1, 1.5)).toThrow(RangeError);
  });
});

describe.each(testProviders())('seedScaledNetwork (%s)', { timeout: 120_000 }, (provider) => {
  it('writes the network in one transaction; the index sees every box; a second seed is refused', async () => {
    const database = await freshDatabase(provider);
    try {
      const counts = await seedScaledNetwork(database.db, 5, 1500);
      expect(counts.boxes).toBe(1500);
      expect(await database.db.box.count()).toBe(1500);
      expect(await database.db.splitter.count()).toBe(counts.splitters);
      expect(await database.db.ftthClient.count()).toBe(counts.clients);
      const service = await ViabilityService.load(database.db, {
        defaultRadiusMeters: () => 300,
        maxRadiusMeters: 5000,
        maxBoxes: () => 20,
        logger: pino({ level: 'silent' }),
      });
      expect(service.size).toBe(1500);
      expect(service.check({ lat: -23.4253, lng: -51.9386 }).viable).toBe(true);
      // other instances hear of every box and pole (SQLite logs them once, after the write)
      const keys = new Set((await database.db.networkChange.findMany()).map((c) => c.key));
      for (const b of await database.db.box.findMany({ select: { id: true } }))
        expect(keys.has(b.id)).toBe(true);
      for (const p of await database.db.pole.findMany({ select: { id: true } }))
        expect(keys.has(`pole:${p.id}`)).toBe(true);
      const versions = (await database.db.networkChange.findMany()).map((c) => c.version);
      expect(new Set(versions).size).toBe(versions.length);
      await expect(seedScaledNetwork(database.db, 5, 10)).rejects.toBeInstanceOf(ConflictError);
      expect(await database.db.box.count()).toBe(1500);
    } finally {
      await database.drop();
    }
  });
});
