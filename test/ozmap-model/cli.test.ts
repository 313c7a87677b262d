import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { demoSeeding } from '../../src/cli/inventory.js';
import { loadConfig } from '../../src/config.js';
import { generateDemoNetwork } from '../../src/ozmap-model/demo-network.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { box, collection, smallNetwork, splitter } from './geojson-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'alcance-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI entry point in a child process against its own SQLite file. */
function cli(database: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'src/main.ts', ...args],
      {
        env: { ...process.env, DATABASE_URL: `file:${join(dir, database)}`, LOG_LEVEL: 'silent' },
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('CLI inventory commands', { timeout: 180_000 }, () => {
  it('import: prints the report; a second run finds everything unchanged', async () => {
    const file = writeJson('small.geojson', smallNetwork());
    const first = await cli('import.db', 'import', file);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('boxes      created 3, updated 0, unchanged 0');
    expect(first.stdout).toContain('splitters  created 4, updated 0, unchanged 0');
    const second = await cli('import.db', 'import', file);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('boxes      created 0, updated 0, unchanged 3');
    expect(second.stdout).toContain('regions    created 0, updated 0, unchanged 1');

    const exported = await cli('import.db', 'export');
    expect(exported.code).toBe(0);
    const doc = JSON.parse(exported.stdout) as {
      features: Array<{ properties: { kind: string; name: string } }>;
    };
    expect(
      doc.features.filter((f) => f.properties.kind === 'box').map((f) => f.properties.name),
    ).toEqual(['CTO-1', 'CTO-2', 'CTO-3']);
  });

  it('import: exits 1 with every per-feature error and writes nothing', async () => {
    const bad = collection(
      box('CTO-1', -51.94, -23.42, {
        splitters: [{ ...splitter('S', 8), ratio: { input: 1, output: 1 } }],
      }),
      box('CTO-2', -251.94, -23.42),
    );
    const run = await cli('invalid.db', 'import', writeJson('bad.geojson', bad));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('not imported, nothing was written. 2 problem(s)');
    expect(run.stderr).toContain(
      'features[0].properties.splitters[0].ratio.output: must be an integer 2..128',
    );
    expect(run.stderr).toContain(
      'features[1].geometry.coordinates[0]: longitude must be between -180 and 180',
    );
    const exported = await cli('invalid.db', 'export');
    expect(JSON.parse(exported.stdout)).toEqual({ type: 'FeatureCollection', features: [] });

    const missing = await cli('invalid.db', 'import', join(dir, 'nope.geojson'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read');
  });

  it('seed-demo seeds once, then refuses; export --out writes the file', async () => {
    const seeded = await cli('demo.db', 'seed-demo', '--seed', '3');
    expect(seeded.code).toBe(0);
    const boxes = generateDemoNetwork(3).boxes.length;
    expect(seeded.stdout).toContain(`demo network seeded (seed 3): ${boxes} boxes`);
    const again = await cli('demo.db', 'seed-demo');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('only seeded into an empty inventory');

    const out = join(dir, 'demo.geojson');
    const exported = await cli('demo.db', 'export', '--out', out);
    expect(exported.code).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as {
      features: Array<{ properties: { kind: string } }>;
    };
    expect(doc.features.filter((f) => f.properties.kind === 'box')).toHaveLength(boxes);
  });
});

describe('demo seeding on serve', { timeout: 120_000 }, () => {
  const opened: TestDatabase[] = [];
  afterAll(async () => Promise.all(opened.map((d) => d.drop())));
  const logger = pino({ level: 'silent' });

  it('seeds an empty inventory unless DEMO_NETWORK=off, and never a second time', async () => {
    const t = await freshDatabase('sqlite');
    opened.push(t);
    const off = loadConfig({ DATABASE_URL: t.url, DEMO_NETWORK: 'off' });
    await demoSeeding(off)({ db: t.db, logger });
    expect(await t.db.box.count()).toBe(0);

    const auto = loadConfig({ DATABASE_URL: t.url, DEMO_SEED: '4' });
    await demoSeeding(auto)({ db: t.db, logger });
    const boxes = generateDemoNetwork(4).boxes.length;
    expect(await t.db.box.count()).toBe(boxes);
    await demoSeeding(loadConfig({ DATABASE_URL: t.url, DEMO_NETWORK: 'on', DEMO_SEED: '5' }))({
      db: t.db,
      logger,
    });
    expect(await t.db.box.count()).toBe(boxes);
  });
});
