// Real-size networks: start-up, export, import, HTTP viability against /health, and HTTP
// reservations, at 20 000 / 100 000 / 1 000 000 boxes, on SQLite and (with BENCH_POSTGRES_URL)
// PostgreSQL. `npm run bench:scale`; see docs/benchmarks.md for the knobs and the figures.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';

const SIZES = (process.env.BENCH_SCALE_SIZES ?? '20000,100000').split(',').map(Number);
const DIR = process.env.BENCH_SCALE_DIR ?? '/tmp/alcance-scale';
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const RESERVATIONS = Number(process.env.BENCH_RESERVATIONS ?? 2000);
const WARM_UP_RESERVATIONS = 300;
const WARM_UP_SECONDS = Number(process.env.BENCH_WARM_UP_SECONDS ?? 3);
const PG_ADMIN = process.env.BENCH_POSTGRES_URL;
mkdirSync(DIR, { recursive: true });

interface Step {
  ms: number;
  peakMb: number;
  readyMs: number;
  indexMs: number;
  rssAfterGcMb: number;
}

/** Runs one bench/scale-step.ts step in its own process; returns its JSON report. */
async function step(args: string[]): Promise<Step> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=4096', '--import', 'tsx', 'bench/scale-step.ts', ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout });
  let last = '';
  lines.on('line', (l) => (last = l));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`step ${args.join(' ')} exited ${code}`);
  return JSON.parse(last) as Step;
}

async function pgQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

function pgUrl(name: string): string {
  const u = new URL(PG_ADMIN!);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A seeded database of `boxes` boxes, made once and kept in BENCH_SCALE_DIR / PostgreSQL. */
async function seeded(
  provider: 'sqlite' | 'postgresql',
  boxes: number,
): Promise<{ url: string; seed?: Step }> {
  if (provider === 'sqlite') {
    const path = join(DIR, `seeded-${boxes}.db`);
    const url = `file:${path}`;
    if (existsSync(path)) return { url };
    return {
      url,
      seed: await step(['seed', url, String(boxes)]).catch((e: unknown) => {
        rmSync(path, { force: true });
        throw e;
      }),
    };
  }
  const name = `alcance_scale_${boxes}`;
  const url = pgUrl(name);
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  await c.end();
  if (rowCount) return { url };
  await pgQuery(`CREATE DATABASE ${name}`);
  return { url, seed: await step(['seed', url, String(boxes)]) };
}

async function emptyDatabase(provider: 'sqlite' | 'postgresql', tag: string) {
  if (provider === 'sqlite') {
    const path = join(DIR, `empty-${tag}.db`);
    for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
    return {
      url: `file:${path}`,
      drop: async () => {
        for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
      },
    };
  }
  const name = `alcance_scale_empty_${tag}`;
  await pgQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await pgQuery(`CREATE DATABASE ${name}`);
  return { url: pgUrl(name), drop: () => pgQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

interface Served {
  url: string;
  key: string;
  points: Array<[number, number]>;
  stop(): Promise<void>;
}

async function serve(url: string): Promise<Served> {
  const child = spawn(
    process.execPath,
    ['--max-old-space-size=4096', '--import', 'tsx', 'bench/scale-step.ts', 'serve', url],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const info = JSON.parse(line) as Omit<Served, 'stop'>;
  return {
    ...info,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function load(url: string, opts: Partial<autocannon.Options>) {
  const seconds = Number(opts.duration ?? SECONDS);
  const r = await autocannon({ url, connections: 32, duration: SECONDS, ...opts });
  // Answers, not attempts: a 4xx/5xx is counted as an error, never as served.
  return {
    rps: Math.round(r['2xx'] / seconds),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
  };
}

/**
 * Viability at points near real boxes (jittered ~100 m) against /health, 32 connections, both
 * through the same middleware (request logging, metrics, security headers). Each route first runs
 * WARM_UP_SECONDS uncounted: a just-started server answers through cold code, a serving one does not.
 */
async function http(s: Served) {
  let next = 0;
  const jitter = (i: number) => (((i * 7919) % 200) - 100) * 0.000009;
  const viabilityLoad = (duration: number) =>
    load(s.url, {
      duration,
      headers: { authorization: s.key },
      requests: [
        {
          setupRequest: (req) => {
            const i = next++;
            const [lat, lng] = s.points[i % s.points.length]!;
            return {
              ...req,
              path: `/api/v2/ftth-viability/radius?lat=${lat + jitter(i)}&lng=${lng + jitter(i + 1)}`,
            };
          },
        },
      ],
    });
  const healthLoad = (duration: number) =>
    load(s.url, { duration, requests: [{ path: '/health' }] });
  await viabilityLoad(WARM_UP_SECONDS);
  await healthLoad(WARM_UP_SECONDS);
  const viability = await viabilityLoad(SECONDS);
  const health = await healthLoad(SECONDS);
  return { viability, health, ratio: viability.rps / health.rps };
}

/**
 * POST /api/v2/properties with auto_connect at the nearest box, 16 concurrent clients, after a
 * warm-up of WARM_UP_RESERVATIONS (not counted: a server that has just started runs its first
 * requests through cold code, ~2x slower, and a serving instance is warm).
 */
async function reservations(s: Served) {
  let next = 0;
  await reservationLoad(s, WARM_UP_RESERVATIONS, () => next++);
  const started = performance.now();
  const r = await reservationLoad(s, RESERVATIONS, () => next++);
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: Math.round(r['2xx'] / seconds), ok: r['2xx'], failed: r.non2xx + r.errors };
}

function reservationLoad(s: Served, amount: number, nextIndex: () => number) {
  return autocannon({
    url: s.url,
    connections: 16,
    amount,
    headers: { authorization: s.key, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        path: '/api/v2/properties',
        setupRequest: (req) => {
          const i = nextIndex();
          const [lat, lng] = s.points[i % s.points.length]!;
          return {
            ...req,
            body: JSON.stringify({
              lat,
              lng,
              auto_connect: true,
              client: { code: `BENCH-${Date.now()}-${i}`, name: `Cliente ${i}`, implanted: false },
            }),
          };
        },
      },
    ],
  });
}

const rows: string[] = [];
const out = (cells: Array<string | number>) => {
  const line = `| ${cells.join(' | ')} |`;
  rows.push(line);
  console.log(line);
};
console.log(
  '| db | boxes | seed s | ready s | RSS after start MB | peak MB | export s (MB file, peak MB) | import s (peak MB) | viability rps / health rps (ratio) | viability p99 ms | reservations/s (ok, failed) |',
);
console.log('|---|---:|---:|---:|---:|---:|---|---|---|---:|---|');
const providers: Array<'sqlite' | 'postgresql'> = PG_ADMIN ? ['sqlite', 'postgresql'] : ['sqlite'];
for (const size of SIZES) {
  for (const provider of providers) {
    const { url, seed } = await seeded(provider, size);
    const start = await step(['start', url]);
    const file = join(DIR, `export-${provider}-${size}.geojson`);
    const exported = await step(['export', url, file]);
    const fileMb = Math.round(statSync(file).size / 1e6);
    const target = await emptyDatabase(provider, String(size));
    const imported = await step(['import', target.url, file]);
    rmSync(file, { force: true });
    const served = await serve(url);
    const h = await http(served);
    await served.stop();
    // Reservations on the imported copy (no customers yet), so the seeded database stays as made.
    const copy = await serve(target.url);
    const res = await reservations(copy);
    await copy.stop();
    await target.drop();
    out([
      provider,
      size,
      seed ? (seed.ms / 1000).toFixed(1) : 'cached',
      (start.readyMs / 1000).toFixed(1),
      start.rssAfterGcMb,
      start.peakMb,
      `${(exported.ms / 1000).toFixed(1)} (${fileMb}, ${exported.peakMb})`,
      `${(imported.ms / 1000).toFixed(1)} (${imported.peakMb})`,
      `${h.viability.rps} / ${h.health.rps} (${h.ratio.toFixed(2)})${h.viability.errors + h.health.errors ? ` [${h.viability.errors + h.health.errors} not 2xx]` : ''}`,
      h.viability.p99,
      `${res.perSecond} (${res.ok}, ${res.failed})`,
    ]);
  }
}
