/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-explicit-any -- response bodies and the edited file are untyped JSON; the assertions check them */
// A network past both databases' parameter limits (41 000 splitters: SQLite takes 999 bound
// parameters per statement through Prisma, PostgreSQL 32 766), run through everything that reads
// or writes the whole inventory: server start, the API's list and batch paths, export, import,
// re-import, a bad file, an import killed halfway and a start-up during an import.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createApiKey } from '../../src/ozmap-model/api-keys.js';
import {
  GeoJsonImportError,
  importGeoJsonFile,
  writeGeoJson,
} from '../../src/ozmap-model/geojson.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { ViabilityService } from '../../src/services/viability-service.js';
import {
  PORTS,
  SPLITTERS_PER_BOX,
  blockedPortCount,
  buildBigNetwork,
  expectedFreePorts,
  positionOf,
  type BigNetwork,
} from '../support/big-network.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';
import { api } from '../support/server.js';

const BOXES = 20_500;
const silent = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'alcance-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const serviceOptions = {
  defaultRadiusMeters: () => 300,
  maxRadiusMeters: 5000,
  maxBoxes: () => 20,
  logger: silent,
};

async function count(
  db: TestDatabase,
  table: 'box' | 'splitter' | 'splitterPort',
): Promise<number> {
  if (table === 'box') return db.db.box.count();
  if (table === 'splitter') return db.db.splitter.count();
  return db.db.splitterPort.count();
}

/** The CLI in a child process; resolves when it prints `marker` on stderr (or exits). */
function cliImport(url: string, file: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'import', file], {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const saw = (marker: string) =>
    new Promise<boolean>((resolve) => {
      const check = () => {
        if (stderr.includes(marker)) resolve(true);
      };
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        check();
      });
      void exited.then(() => resolve(stderr.includes(marker)));
    });
  return { child, exited, saw, stderr: () => stderr };
}

describe.each(testProviders())(
  'a network past the parameter limits (%s)',
  { timeout: 600_000 },
  (provider) => {
    let source: TestDatabase;
    let net: BigNetwork;
    let server: RunningServer;
    let key: string;
    const file = join(dir, `${provider}.geojson`);

    beforeAll(async () => {
      source = await freshDatabase(provider);
      net = await buildBigNetwork(source.url, BOXES);
      const config = loadConfig({
        DATABASE_URL: source.url,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        DEMO_NETWORK: 'off',
      });
      server = await startServer(config, createLogger('silent'), { jobs: false });
      key = (await createApiKey(server.ctx.db, 'scale')).key;
    }, 240_000);

    afterAll(async () => {
      await server?.close();
      await source?.drop();
    });

    it('starts with every box indexed, each with its exact free ports', async () => {
      expect(net.splitters).toBeGreaterThan(32_766);
      expect(server.ctx.viability.size).toBe(BOXES);
      for (let i = 0; i < BOXES; i += 97) {
        const answer = server.ctx.viability.check({ ...positionOf(i), radius: 0.5 });
        const box = [...answer.boxes, ...answer.refused].find((b) => b.id === net.boxIds[i]);
        expect(box, `box ${i}`).toBeDefined();
        if (i % 50 === 7) expect(box).toMatchObject({ reason: 'draft' });
        else expect(box).toMatchObject({ availability: expectedFreePorts(i) });
      }
    });

    it('answers over HTTP with at most the maximum of each list and counts the rest', async () => {
      const { lat, lng } = positionOf(7_000);
      const res = await api(
        { url: server.url, apiKey: key },
        'GET',
        `/api/v2/ftth-viability/radius?lat=${lat}&lng=${lng}&radius=1000`,
      );
      expect(res.status).toBe(200);
      expect(res.body.boxes).toHaveLength(20);
      expect(res.body.boxes_omitted).toBeGreaterThan(500);
      expect(res.body.refused_boxes.length).toBeLessThanOrEqual(20);
      expect(res.body.refused_boxes_omitted + res.body.refused_boxes.length).toBeGreaterThan(10);
      const distances = res.body.boxes.map((b: { distance: number }) => b.distance);
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
    });

    it('reloads every box at once (a write reporting them all) without a parameter error', async () => {
      await server.ctx.network.boxesChanged(net.boxIds);
      expect(server.ctx.viability.size).toBe(BOXES);
      const i = 4_242;
      const answer = server.ctx.viability.check({ ...positionOf(i), radius: 0.5 });
      expect(answer.boxes.find((b) => b.id === net.boxIds[i])?.availability).toBe(
        expectedFreePorts(i),
      );
    });

    it('serves list pages, geometric filters and batch updates over thousands of rows', async () => {
      const s = { url: server.url, apiKey: key };
      const page = await api(s, 'GET', '/api/v2/boxes?limit=1000&populate=boxType');
      expect(page.status).toBe(200);
      expect(page.body.rows).toHaveLength(1000);
      const splitters = await api(s, 'GET', '/api/v2/splitters?limit=1000&page=3');
      expect(splitters.status).toBe(200);
      expect(splitters.body.rows).toHaveLength(1000);
      const { lat, lng } = positionOf(10_000);
      const near = encodeURIComponent(
        JSON.stringify([
          { property: 'coords', operator: 'near', value: { lat, lng, radius: 3000 } },
        ]),
      );
      const nearby = await api(s, 'GET', `/api/v2/boxes?filter=${near}&limit=5`);
      expect(nearby.status).toBe(200);
      expect(nearby.body.total).toBeGreaterThan(2000);
      const within = [{ property: 'coords', operator: 'near', value: { lat, lng, radius: 5000 } }];
      const batch = await api(s, 'POST', '/api/v2/properties/batch-update', {
        filter: within,
        update: { potencyRead: -19.5 },
      });
      expect(batch.status).toBe(204);
      expect(await server.ctx.db.property.count({ where: { potencyRead: -19.5 } })).toBeGreaterThan(
        0,
      );
    });

    it('exports, imports into an empty database, exports the same, and re-imports unchanged', async () => {
      const out = createWriteStream(file);
      expect(await writeGeoJson(server.ctx.db, out)).toBe(BOXES);
      out.end();
      await finished(out);
      const doc = JSON.parse(readFileSync(file, 'utf8')) as {
        features: Array<{ properties: { splitters: Array<{ ports: unknown[] }> } }>;
      };
      expect(doc.features).toHaveLength(BOXES);
      // compact, one feature per line between the collection's opening and closing lines
      const lines = readFileSync(file, 'utf8').split('\n');
      expect(lines).toHaveLength(BOXES + 3);
      expect(JSON.parse(lines[1]!.replace(/,$/, ''))).toEqual(doc.features[0]);
      expect(doc.features[0]!.properties.splitters).toHaveLength(SPLITTERS_PER_BOX);
      // box 0 has port 1 of its first splitter blocked; the file lists only blocked ports
      expect(doc.features[0]!.properties.splitters[0]!.ports).toEqual([
        { index: 1, blocked: true },
      ]);

      const target = await freshDatabase(provider);
      try {
        const report = await importGeoJsonFile(target.db, file);
        expect(report.boxes).toEqual({ created: BOXES, updated: 0, unchanged: 0 });
        expect(report.splitters.created).toBe(net.splitters);
        expect(await count(target, 'splitterPort')).toBe(blockedPortCount(BOXES));
        const again = join(dir, `${provider}-again.geojson`);
        const copy = createWriteStream(again);
        await writeGeoJson(target.db, copy);
        copy.end();
        await finished(copy);
        expect(readFileSync(again, 'utf8')).toBe(readFileSync(file, 'utf8'));

        const second = await importGeoJsonFile(target.db, file);
        expect(second.boxes).toEqual({ created: 0, updated: 0, unchanged: BOXES });
        expect(second.splitters).toEqual({ created: 0, updated: 0, unchanged: net.splitters });

        const loaded = await ViabilityService.load(target.db, serviceOptions);
        expect(loaded.size).toBe(BOXES);
        const i = 12_345;
        const answer = loaded.check({ ...positionOf(i), radius: 0.5 });
        // imported boxes hold no customers: only the blocked ports are taken
        const blocked = (i % 3 === 0 ? 1 : 0) + (i % 5 === 0 ? 1 : 0);
        expect(answer.boxes[0]?.availability).toBe(SPLITTERS_PER_BOX * PORTS - blocked);
      } finally {
        await target.drop();
      }
    });

    it('a file with bad features in the middle: every problem reported, nothing written', async () => {
      const doc = JSON.parse(readFileSync(file, 'utf8')) as {
        features: Array<Record<string, any>>;
      };
      doc.features[9_000]!.properties.splitters[1].ratio.output = 1;
      doc.features[15_001]!.geometry.coordinates = [-51.9, 123];
      const bad = join(dir, `${provider}-bad.geojson`);
      writeFileSync(bad, JSON.stringify(doc));
      const target = await freshDatabase(provider);
      try {
        const error = await importGeoJsonFile(target.db, bad).catch((err: unknown) => err);
        expect(error).toBeInstanceOf(GeoJsonImportError);
        expect((error as GeoJsonImportError).problems).toEqual([
          'features[9000].properties.splitters[1].ratio.output: must be an integer 2..128',
          'features[15001].geometry.coordinates[1]: latitude must be between -90 and 90',
        ]);
        expect(await count(target, 'box')).toBe(0);
        expect(await count(target, 'splitter')).toBe(0);
      } finally {
        await target.drop();
      }
    });

    it('an import killed halfway leaves the database as it was; a start-up meanwhile sees the old inventory', async () => {
      const target = await freshDatabase(provider);
      try {
        await buildBigNetwork(target.url, 10);
        const run = cliImport(target.url, file);
        expect(await run.saw('importing:'), run.stderr()).toBe(true);
        // Mid-import: a starting service sees the inventory before the import, not half of it.
        const during = await ViabilityService.load(target.db, serviceOptions);
        expect(during.size).toBe(10);
        run.child.kill('SIGKILL');
        await run.exited;
        expect(await count(target, 'box')).toBe(10);
        expect(await count(target, 'splitter')).toBe(10 * SPLITTERS_PER_BOX);
        const after = await ViabilityService.load(target.db, serviceOptions);
        expect(after.size).toBe(10);
      } finally {
        await target.drop();
      }
    });
  },
);
