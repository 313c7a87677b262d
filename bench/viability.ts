// Viability benchmark: our core against bare kdbush, a naive scan, Redis GEOSEARCH and PostGIS,
// on the same boxes and queries, plus an HTTP load run. `npm run bench`; see docs/benchmarks.md.
//
//   BENCH_SIZES=10000,100000,1000000  BENCH_QUERIES=10000  BENCH_RADIUS=300  BENCH_SEED=1
//   REDIS_URL=redis://...  BENCH_POSTGIS_URL=postgres://...  BENCH_HTTP_SECONDS=10 (0 = skip)
import { cpus } from 'node:os';
import { haversineMeters } from '../src/viability/index.js';
import { makeDataset, type Dataset } from './data.js';
import { HttpRouteUnavailable, runHttpLoad } from './http.js';
import { coreMethod, kdbushMethod, naiveMethod, type BuildStats, type Method } from './methods.js';
import { explainPostgis, postgisMethod } from './postgis.js';
import { redisMethod } from './redis.js';

const env = process.env;
const SIZES = (env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const QUERIES = Number(env.BENCH_QUERIES ?? 10_000);
const RADIUS = Number(env.BENCH_RADIUS ?? 300);
const SEED = Number(env.BENCH_SEED ?? 1);
const HTTP_SECONDS = Number(env.BENCH_HTTP_SECONDS ?? 10);
// A point this close to the circle's edge may fall either way under another distance formula
// (Redis uses a 6372797.56 m sphere and 52-bit geohashes, ~0.6 m steps).
const EDGE_TOLERANCE_M = 1;

interface Row {
  size: number;
  method: string;
  build: BuildStats;
  timed: number;
  p50: number;
  p99: number;
  qps: number;
  avgHits: number;
  mismatches: number;
  edgeMismatches: number;
}

async function timeQueries(
  method: Method,
  data: Dataset,
  count: number,
  reference: number[][] | undefined,
): Promise<{ row: Omit<Row, 'size' | 'method' | 'build'>; sets: number[][] }> {
  const warmup = Math.min(500, count);
  for (let k = 0; k < warmup; k++) {
    const [lat, lng] = data.queries[k]!;
    await method.query(lat, lng, RADIUS);
  }
  const latencies = new Float64Array(count);
  const sets: number[][] = [];
  let mismatches = 0;
  let edgeMismatches = 0;
  let hits = 0;
  for (let k = 0; k < count; k++) {
    const [lat, lng] = data.queries[k]!;
    const started = performance.now();
    const pending = method.query(lat, lng, RADIUS);
    const result: unknown = pending instanceof Promise ? await pending : pending;
    latencies[k] = performance.now() - started;
    const found = method.indices(result).sort((a, b) => a - b);
    hits += found.length;
    sets.push(found);
    if (reference) {
      for (const i of symmetricDifference(found, reference[k]!)) {
        const d = haversineMeters(lat, lng, data.lat[i]!, data.lng[i]!);
        if (Math.abs(d - RADIUS) <= EDGE_TOLERANCE_M) edgeMismatches++;
        else mismatches++;
      }
    }
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const total = latencies.reduce((a, b) => a + b, 0);
  return {
    row: {
      timed: count,
      p50: sorted[Math.floor(count * 0.5)]! * 1000,
      p99: sorted[Math.min(count - 1, Math.floor(count * 0.99))]! * 1000,
      qps: count / (total / 1000),
      avgHits: hits / count,
      mismatches,
      edgeMismatches,
    },
    sets,
  };
}

function symmetricDifference(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!);
    else if (i >= a.length || b[j]! < a[i]!) out.push(b[j++]!);
    else {
      i++;
      j++;
    }
  }
  return out;
}

/**
 * The core and bare kdbush timed on the same query back to back (order alternating), so both
 * see the same machine load: the fairest estimate of the p50 ratio on a shared machine.
 */
function pairedRatio(core: Method, kdbush: Method, data: Dataset): Paired {
  const count = data.queries.length;
  const a = new Float64Array(count);
  const b = new Float64Array(count);
  const time = (method: Method, lat: number, lng: number) => {
    const started = performance.now();
    method.query(lat, lng, RADIUS);
    return performance.now() - started;
  };
  for (let k = 0; k < count; k++) {
    const [lat, lng] = data.queries[k]!;
    if (k % 2) {
      a[k] = time(core, lat, lng);
      b[k] = time(kdbush, lat, lng);
    } else {
      b[k] = time(kdbush, lat, lng);
      a[k] = time(core, lat, lng);
    }
  }
  const p50 = (x: Float64Array) => x.sort()[Math.floor(count / 2)]! * 1000;
  const [coreP50, kdbushP50] = [p50(a), p50(b)];
  return { size: data.lat.length, coreP50, kdbushP50, ratio: coreP50 / kdbushP50 };
}

interface Paired {
  size: number;
  coreP50: number;
  kdbushP50: number;
  ratio: number;
}

const paired: Paired[] = [];

async function benchSize(size: number): Promise<Row[]> {
  const data = makeDataset(size, QUERIES, SEED);
  const methods: Method[] = [kdbushMethod(), coreMethod(), naiveMethod()] as Method[];
  if (env.REDIS_URL) methods.push(redisMethod(env.REDIS_URL));
  if (env.BENCH_POSTGIS_URL) methods.push(postgisMethod(env.BENCH_POSTGIS_URL));

  const rows: Row[] = [];
  let reference: number[][] | undefined;
  // bare kdbush and the core are built first, for the paired run; the others as they come.
  const builds = [await methods[0]!.build(data), await methods[1]!.build(data)];
  paired.push(pairedRatio(methods[1]!, methods[0]!, data));
  for (const [m, method] of methods.entries()) {
    try {
      const build = builds[m] ?? (await method.build(data));
      const count = Math.min(QUERIES, method.queryLimit?.(size) ?? QUERIES);
      const { row, sets } = await timeQueries(method, data, count, reference);
      reference ??= sets; // the first method (bare kdbush) is the reference answer
      rows.push({ size, method: method.name, build, ...row });
      log(`${size} ${method.name}: p50 ${row.p50.toFixed(1)} µs, build ${build.ms.toFixed(0)} ms`);
      if (method.name.startsWith('PostGIS') && size === SIZES.at(-1)) {
        log(await explainPostgis(env.BENCH_POSTGIS_URL!));
      }
    } finally {
      await method.close?.();
    }
  }
  return rows;
}

function table(rows: Row[]): string {
  const mb = (b: number) => (Number.isNaN(b) ? '–' : (b / 1e6).toFixed(1));
  const head =
    '| boxes | method | build ms (cpu) | memory MB | queries | p50 µs | p99 µs | queries/s | ×p50 vs kdbush | avg hits | mismatches (edge) |\n' +
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => {
    const ref = rows.find((x) => x.size === r.size && x.method.startsWith('bare'))!;
    const cpu = Number.isNaN(r.build.cpuMs) ? '' : ` (${r.build.cpuMs.toFixed(0)})`;
    return `| ${r.size.toLocaleString('en')} | ${r.method} | ${r.build.ms.toFixed(0)}${cpu} | ${mb(r.build.memoryBytes)} | ${r.timed} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${Math.round(r.qps).toLocaleString('en')} | ${(r.p50 / ref.p50).toFixed(2)} | ${r.avgHits.toFixed(1)} | ${r.mismatches} (${r.edgeMismatches}) |`;
  });
  return [head, ...lines].join('\n');
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function main(): Promise<void> {
  const started = Date.now();
  process.on('exit', () => log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`));
  log(`cpus: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; node ${process.version}`);
  const rows: Row[] = [];
  for (const size of SIZES) rows.push(...(await benchSize(size)));
  console.log(`\n${QUERIES} queries, radius ${RADIUS} m, seed ${SEED}\n`);
  console.log(table(rows));
  console.log('\nPaired run (core and bare kdbush on each query back to back, same load):\n');
  console.log('| boxes | core p50 µs | bare kdbush p50 µs | ratio |\n|---:|---:|---:|---:|');
  for (const p of paired) {
    console.log(
      `| ${p.size.toLocaleString('en')} | ${p.coreP50.toFixed(1)} | ${p.kdbushP50.toFixed(1)} | ${p.ratio.toFixed(2)} |`,
    );
  }

  if (HTTP_SECONDS > 0) {
    const http = await runHttpLoad(HTTP_SECONDS, 10).catch((err: unknown) => {
      if (!(err instanceof HttpRouteUnavailable)) throw err;
      console.log(`\nHTTP load skipped: ${err.message}`);
      return undefined;
    });
    if (!http) return;
    console.log(`\nHTTP, ${HTTP_SECONDS} s per route, 10 connections (autocannon)\n`);
    console.log(
      '| route | requests/s | p50 ms | p99 ms | errors | non-2xx |\n|---|---:|---:|---:|---:|---:|',
    );
    for (const h of http) {
      console.log(
        `| ${h.route} | ${Math.round(h.requestsPerSecond)} | ${h.p50Ms} | ${h.p99Ms} | ${h.errors} | ${h.non2xx} |`,
      );
    }
    console.log(
      `\nviability / health = ${(http[0]!.requestsPerSecond / http[1]!.requestsPerSecond).toFixed(2)}` +
        (http[2]
          ? `; viability / same-size fixed body = ${(http[0]!.requestsPerSecond / http[2].requestsPerSecond).toFixed(2)}`
          : ''),
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
