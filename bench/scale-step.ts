// One step of the scale benchmark (bench/scale.ts), in a process of its own so its time and
// peak memory are its own: `seed URL BOXES`, `start URL`, `export URL FILE`, `import URL FILE`,
// `serve URL` (prints {url, key}, serves until SIGTERM, request logging on, to /dev/null).
import { createWriteStream, openSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createApiKey } from '../src/ozmap-model/api-keys.js';
import { createDb } from '../src/ozmap-model/db/client.js';
import { applyMigrations } from '../src/ozmap-model/db/migrate.js';
import { seedScaledNetwork } from '../src/ozmap-model/demo-network/seed-scaled.js';
import { importGeoJsonFile, writeGeoJson } from '../src/ozmap-model/geojson.js';
import { startServer } from '../src/server.js';
import { ViabilityService } from '../src/services/viability-service.js';
import { UNLIMITED_RATES } from './rate-limits.js';

const [step, url, arg] = process.argv.slice(2);
if (!step || !url) throw new Error('usage: scale-step.ts seed|start|export|import|serve URL [ARG]');
const started = performance.now();
const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const report = (extra: Record<string, unknown>) =>
  process.stdout.write(
    `${JSON.stringify({ step, ms: Math.round(performance.now() - started), peakMb: peakMb(), ...extra })}\n`,
  );

function config(logLevel: string) {
  return loadConfig({
    DATABASE_URL: url,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: logLevel,
    DEMO_NETWORK: 'off',
    ...UNLIMITED_RATES,
  });
}

if (step === 'seed') {
  await applyMigrations(url);
  const db = createDb(url);
  const counts = await seedScaledNetwork(db, 42, Number(arg));
  await db.$disconnect();
  report(counts as unknown as Record<string, unknown>);
} else if (step === 'start') {
  // Ready = the server listens with its index built, counted from this process's start.
  const running = await startServer(config('silent'), pino({ level: 'silent' }), { jobs: false });
  const readyMs = Math.round(performance.now());
  const rssMb = Math.round(process.memoryUsage().rss / 1e6);
  globalThis.gc?.();
  const rssAfterGcMb = Math.round(process.memoryUsage().rss / 1e6);
  // The inventory load and index build alone, once more in the warm process.
  const t = performance.now();
  const again = await ViabilityService.load(running.ctx.db, {
    defaultRadiusMeters: () => 300,
    maxRadiusMeters: 5000,
    maxBoxes: () => 20,
    logger: pino({ level: 'silent' }),
  });
  const indexMs = Math.round(performance.now() - t);
  report({ readyMs, indexMs, rssMb, rssAfterGcMb, boxes: again.size });
  await running.close();
} else if (step === 'export') {
  await applyMigrations(url);
  const db = createDb(url);
  const out = createWriteStream(arg!);
  const features = await writeGeoJson(db, out);
  out.end();
  await finished(out);
  await db.$disconnect();
  report({ features });
} else if (step === 'import') {
  await applyMigrations(url);
  const db = createDb(url);
  // BENCH_IMPORT_CHANGE_LOG=triggers: the change log written row by row, as before (compare).
  const changeLog = process.env.BENCH_IMPORT_CHANGE_LOG === 'triggers' ? 'triggers' : 'bulk';
  const r = await importGeoJsonFile(db, arg!, { changeLog });
  await db.$disconnect();
  report({
    boxes: r.boxes.created + r.boxes.updated + r.boxes.unchanged,
    splitters: r.splitters.created,
  });
} else if (step === 'serve') {
  const logs = createLogger('info', pino.destination(openSync('/dev/null', 'w')));
  const running = await startServer(config('info'), logs, { jobs: false });
  const { key } = await createApiKey(running.ctx.db, `bench-${Date.now()}`);
  const rows = await running.ctx.db.$queryRawUnsafe<
    Array<{ id: string; lat: number; lng: number }>
  >('SELECT "id", "lat", "lng" FROM "Box" WHERE "draft" = false ORDER BY "id" LIMIT 2000');
  process.stdout.write(
    `${JSON.stringify({ url: running.url, key, points: rows.map((r) => [r.lat, r.lng]) })}\n`,
  );
  process.on('SIGTERM', () => void running.close().then(() => process.exit(0)));
} else {
  throw new Error(`unknown step ${step}`);
}
