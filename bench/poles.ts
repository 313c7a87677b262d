// Pole-mode viability benchmark: the pole graph (build, memory, query) against the radius index on
// the same boxes and customers, and against pgRouting on PostgreSQL on the same network.
// `npm run bench:poles`; see docs/benchmarks.md.
//
//   BENCH_POLE_BOXES=100000,1000000 (poles = 1.5 × boxes)  BENCH_QUERIES=5000  BENCH_SEED=1
//   BENCH_DROP=500  BENCH_ACCESS=100  BENCH_RADIUS=300
//   BENCH_PGROUTING_URL=postgres://...  BENCH_SQL_QUERIES=300
import { cpus } from 'node:os';
import { resourceUsage } from 'node:process';
import {
  PoleGraph,
  ViabilityIndex,
  queryByPoles,
  type PoleQuery,
  type PoleResult,
} from '../src/viability/index.js';
import { measureBuild, type BuildStats } from './methods.js';
import { makePoleDataset, type PoleDataset } from './pole-data.js';
import { pgroutingMethod, type SqlAnswer } from './pgrouting.js';

const env = process.env;
const SIZES = (env.BENCH_POLE_BOXES ?? '100000,1000000').split(',').map(Number);
const QUERIES = Number(env.BENCH_QUERIES ?? 5000);
const SQL_QUERIES = Number(env.BENCH_SQL_QUERIES ?? 300);
const SEED = Number(env.BENCH_SEED ?? 1);
const DROP = Number(env.BENCH_DROP ?? 500);
const ACCESS = Number(env.BENCH_ACCESS ?? 100);
const RADIUS = Number(env.BENCH_RADIUS ?? 300);

interface Timing {
  p50: number;
  p99: number;
  /** p99 over the queries the OS did not preempt (no involuntary context switch). */
  p99Unpreempted: number;
  preempted: number;
  timed: number;
  avgViable: number;
  avgRefused: number;
}

interface Row {
  boxes: number;
  poles: number;
  method: string;
  build?: BuildStats;
  timing: Timing;
  mismatches?: string;
}

/** Times `run` over the queries; a query is "preempted" when the OS switched the process out. */
async function time<R>(
  queries: ReadonlyArray<[number, number]>,
  run: (lat: number, lng: number) => R | Promise<R>,
  count: (r: R) => [number, number],
): Promise<{ timing: Timing; answers: R[] }> {
  for (let k = 0; k < Math.min(500, queries.length); k++) await run(...queries[k]!);
  const latencies: number[] = [];
  const clean: number[] = [];
  const answers: R[] = [];
  let viable = 0;
  let refused = 0;
  for (const [lat, lng] of queries) {
    const before = resourceUsage().involuntaryContextSwitches;
    const started = performance.now();
    const pending = run(lat, lng);
    const answer = pending instanceof Promise ? await pending : pending;
    const ms = performance.now() - started;
    const switched = resourceUsage().involuntaryContextSwitches !== before;
    latencies.push(ms);
    if (!switched) clean.push(ms);
    answers.push(answer);
    const [v, r] = count(answer);
    viable += v;
    refused += r;
  }
  const pct = (xs: number[], p: number) =>
    xs.length ? xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]! : NaN;
  return {
    timing: {
      p50: pct(latencies, 0.5) * 1000,
      p99: pct(latencies, 0.99) * 1000,
      p99Unpreempted: pct(clean, 0.99) * 1000,
      preempted: latencies.length - clean.length,
      timed: latencies.length,
      avgViable: viable / queries.length,
      avgRefused: refused / queries.length,
    },
    answers,
  };
}

/** Viable ids with their drop length in the core's answer vs the SQL one (1 cm tolerance). */
function compare(core: PoleResult[], sql: SqlAnswer[], limit: number): string {
  let differ = 0;
  let edge = 0;
  sql.forEach((answer, k) => {
    const mine = new Map(core[k]!.boxes.map((b) => [b.id, b.distance]));
    const theirs = new Map(answer.viable.map((b) => [b.id, b.distance]));
    for (const [id, d] of theirs) {
      const m = mine.get(id);
      if (m !== undefined && Math.abs(m - d) <= 0.011) continue;
      if (Math.abs(d - limit) <= 0.02) edge++;
      else differ++;
    }
    for (const [id, d] of mine) {
      if (theirs.has(id)) continue;
      if (Math.abs(d - limit) <= 0.02) edge++;
      else differ++;
    }
  });
  return `${differ} (${edge})`;
}

async function benchSize(boxes: number): Promise<Row[]> {
  const poles = Math.round(boxes * 1.5);
  log(`${boxes} boxes / ${poles} poles: generating…`);
  const data: PoleDataset = makePoleDataset(poles, boxes, QUERIES, SEED);
  log(`  ${data.poleIds.length} poles, ${data.spanFrom.length} spans`);
  const rows: Row[] = [];

  const built = await measureBuild(() => ViabilityIndex.build(data.boxes));
  const index = built.value as ViabilityIndex;
  const graphBuilt = await measureBuild(() =>
    PoleGraph.fromColumns({
      ids: data.poleIds,
      lat: data.poleLat,
      lng: data.poleLng,
      spanFrom: data.spanFrom,
      spanTo: data.spanTo,
      spanLength: data.spanLength,
      boxIds: data.boxes.map((b) => b.id),
      boxPole: data.boxPole,
    }),
  );
  const graph = graphBuilt.value as PoleGraph;
  const linked = performance.now();
  graph.link(index);
  log(`  link to the index: ${(performance.now() - linked).toFixed(0)} ms`);

  const radius = await time(
    data.queries,
    (lat, lng) => index.query({ lat, lng, radius: RADIUS }),
    (r) => [r.boxes.length, r.refused.length],
  );
  rows.push({
    boxes,
    poles: data.poleIds.length,
    method: `radius ${RADIUS} m (ViabilityIndex)`,
    build: built.stats,
    timing: radius.timing,
  });
  const q = (lat: number, lng: number, extra: Partial<PoleQuery> = {}): PoleQuery => ({
    lat,
    lng,
    accessDistance: ACCESS,
    maxDropLength: DROP,
    radius: RADIUS,
    ...extra,
  });
  const full = await time(
    data.queries,
    (lat, lng) => queryByPoles(index, graph, q(lat, lng)),
    (r) => [r.boxes.length, r.refused.length],
  );
  rows.push({
    boxes,
    poles: data.poleIds.length,
    method: `poles, full answer (drop ≤ ${DROP} m)`,
    build: graphBuilt.stats,
    timing: full.timing,
  });
  const routes = await time(
    data.queries,
    (lat, lng) => queryByPoles(index, graph, q(lat, lng, { maxBoxes: 20, routes: true })),
    (r) => [r.boxes.length, r.refused.length],
  );
  rows.push({
    boxes,
    poles: data.poleIds.length,
    method: 'poles, 20 boxes with routes + refused',
    timing: routes.timing,
  });
  const nearest = await time(
    data.queries,
    (lat, lng) => queryByPoles(index, graph, q(lat, lng, { maxBoxes: 20, maxRefused: 0 })),
    (r) => [r.boxes.length, r.refused.length],
  );
  rows.push({
    boxes,
    poles: data.poleIds.length,
    method: 'poles, 20 nearest viable (reservation)',
    timing: nearest.timing,
  });

  if (env.BENCH_PGROUTING_URL) {
    const sql = pgroutingMethod(env.BENCH_PGROUTING_URL, {
      access: ACCESS,
      drop: DROP,
      radius: RADIUS,
    });
    try {
      const stats = await sql.build(data, log);
      const some = data.queries.slice(0, SQL_QUERIES);
      const answer = await time(
        some,
        (lat, lng) => sql.query(lat, lng),
        (r) => [r.viable.length, r.refused],
      );
      rows.push({
        boxes,
        poles: data.poleIds.length,
        method: 'pgRouting pgr_drivingDistance (PostgreSQL)',
        build: stats,
        timing: answer.timing,
        mismatches: compare(full.answers.slice(0, SQL_QUERIES), answer.answers, DROP),
      });
      log(await sql.explain(...data.queries[0]!));
    } finally {
      await sql.close();
    }
  }
  for (const r of rows) log(`  ${r.method}: p50 ${r.timing.p50.toFixed(1)} µs`);
  return rows;
}

function table(rows: Row[]): string {
  const head =
    '| boxes / poles | method | build ms (cpu) | memory MB | queries | p50 µs | p99 µs | p99 unpreempted µs (preempted) | avg viable / refused | mismatches (edge) |\n' +
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => {
    const b = r.build;
    const build = b
      ? `${b.ms.toFixed(0)}${Number.isNaN(b.cpuMs) ? '' : ` (${b.cpuMs.toFixed(0)})`}`
      : '';
    const mem = b ? (b.memoryBytes / 1e6).toFixed(1) : '';
    const t = r.timing;
    return `| ${r.boxes.toLocaleString('en')} / ${r.poles.toLocaleString('en')} | ${r.method} | ${build} | ${mem} | ${t.timed} | ${t.p50.toFixed(1)} | ${t.p99.toFixed(1)} | ${t.p99Unpreempted.toFixed(1)} (${t.preempted}) | ${t.avgViable.toFixed(1)} / ${t.avgRefused.toFixed(1)} | ${r.mismatches ?? ''} |`;
  });
  return [head, ...lines].join('\n');
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function main(): Promise<void> {
  const started = Date.now();
  log(`cpus: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; node ${process.version}`);
  const rows: Row[] = [];
  for (const size of SIZES) rows.push(...(await benchSize(size)));
  console.log(
    `\n${QUERIES} customers near the network; access ${ACCESS} m, drop ≤ ${DROP} m, radius ${RADIUS} m, seed ${SEED}\n`,
  );
  console.log(table(rows));
  log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

await main();
