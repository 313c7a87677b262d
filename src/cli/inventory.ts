import { accessSync, constants, createWriteStream, renameSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { ValidationError } from '../errors.js';
import type { Db } from '../ozmap-model/db/client.js';
import { seedDemoIfEmpty, seedDemoNetwork } from '../ozmap-model/demo-network.js';
import { GeoJsonImportError, importGeoJsonFile, writeGeoJson } from '../ozmap-model/geojson.js';
import type { ImportReport } from '../ozmap-model/geojson.js';
import { seedScaledNetwork } from '../ozmap-model/demo-network/seed-scaled.js';
import { MAX_SCALED_BOXES } from '../ozmap-model/demo-network/scaled.js';
import { progressBar } from './progress.js';

// The inventory commands of the CLI: demo seeding, GeoJSON import and export.

type Flags = Record<string, string | true>;

export async function seedDemoCommand(db: Db, flags: Flags, config: Config): Promise<number> {
  const seed = flags.seed === undefined ? config.demo.seed : Number(flags.seed);
  if (!Number.isSafeInteger(seed)) throw new ValidationError('--seed must be an integer', 'seed');
  const boxes = flags.boxes === undefined ? undefined : Number(flags.boxes);
  if (
    boxes !== undefined &&
    !(Number.isInteger(boxes) && boxes >= 1 && boxes <= MAX_SCALED_BOXES)
  ) {
    throw new ValidationError(
      `--boxes must be an integer from 1 to ${MAX_SCALED_BOXES}, got ${String(flags.boxes)}`,
      'boxes',
    );
  }
  const options = { defaultRadiusMeters: config.viability.defaultRadiusMeters };
  const counts =
    boxes === undefined
      ? await seedDemoNetwork(db, seed, options)
      : await seedScaledNetwork(db, seed, boxes, { ...options, progress: stderrProgress('boxes') });
  console.log(
    `demo network seeded (seed ${seed}): ${counts.boxes} boxes, ${counts.splitters} splitters, ${counts.clients} clients, ${counts.regions} regions`,
  );
  return 0;
}

/** The progress bar of the long inventory commands, on stderr. */
export function stderrProgress(unit: string) {
  return progressBar({ unit, out: process.stderr });
}

export async function importCommand(db: Db, file: string | undefined): Promise<number> {
  if (!file) throw new ValidationError('usage: alcance import <file.geojson>', 'file');
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new ValidationError(`cannot read ${file}: ${(err as Error).message}`, 'file');
  }
  try {
    const report = await importGeoJsonFile(db, file, { progress: stderrProgress('features') });
    console.log(formatReport(report));
    return 0;
  } catch (err) {
    if (!(err instanceof GeoJsonImportError)) throw err;
    console.error(`${file}: not imported, nothing was written. ${err.problems.length} problem(s):`);
    for (const problem of err.problems) console.error(`  ${problem}`);
    return 1;
  }
}

export async function exportCommand(db: Db, flags: Flags): Promise<number> {
  const progress = stderrProgress('features');
  if (typeof flags.out !== 'string') {
    await writeGeoJson(db, process.stdout, progress);
    return 0;
  }
  // Written beside the target and renamed at the end: a failed export never leaves half a file.
  const partial = `${flags.out}.partial`;
  const file = createWriteStream(partial);
  try {
    const count = await writeGeoJson(db, file, progress);
    file.end();
    await finished(file);
    renameSync(partial, flags.out);
    console.error(`wrote ${flags.out} (${count} features)`);
  } catch (err) {
    file.destroy();
    rmSync(partial, { force: true });
    throw err;
  }
  return 0;
}

function formatReport(report: ImportReport): string {
  const line = (kind: string, c: ImportReport['boxes']) =>
    `${kind.padEnd(10)} created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}`;
  const catalogue = Object.entries(report.createdCatalogue)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  return [
    line('poles', report.poles),
    line('boxes', report.boxes),
    line('splitters', report.splitters),
    line('regions', report.regions),
    ...(catalogue.length ? [`also created: ${catalogue.join(', ')}`] : []),
  ].join('\n');
}

/** The `serve` hook: seeds the demo network into an empty inventory unless DEMO_NETWORK=off. */
export function demoSeeding(config: Config) {
  return async ({ db, logger }: { db: Db; logger: Logger }): Promise<void> => {
    if (config.demo.mode === 'off') return;
    await seedDemoIfEmpty(db, config.demo.seed, logger, {
      defaultRadiusMeters: config.viability.defaultRadiusMeters,
    });
  };
}
