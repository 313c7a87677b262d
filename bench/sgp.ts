// SGP sync benchmark: `npm run bench:sgp` (see docs/benchmarks.md). Three processes, as in
// production: the simulated SGP with BENCH_SGP_CONTRACTS contracts, the real server (which runs
// the cycle and serves viability), and this driver. It measures the first full cycle, a second
// one with nothing changed, the server's memory, and the viability route's latency at a fixed
// request rate at rest and during the first cycle.
//
//   BENCH_SGP_CONTRACTS=50000 BENCH_SGP_BOXES=20000 BENCH_SGP_RATE=100 BENCH_SGP_SECONDS=15
//   BENCH_POSTGRES_URL=postgres://… (runs on PostgreSQL instead of a temp SQLite file)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';
import { newId } from '../src/ids.js';
import { createDb, type Db } from '../src/ozmap-model/db/client.js';
import { applyMigrations } from '../src/ozmap-model/db/migrate.js';
import { random } from './data.js';

const env = process.env;
const CONTRACTS = Number(env.BENCH_SGP_CONTRACTS ?? 50_000);
const BOXES = Number(env.BENCH_SGP_BOXES ?? 20_000);
const PORTS = 16;
const RATE = Number(env.BENCH_SGP_RATE ?? 100);
const SECONDS = Number(env.BENCH_SGP_SECONDS ?? 15);
const CYCLE_LIMIT_MS = 20 * 60_000;

function boxPoint(i: number): { lat: number; lng: number } {
  return { lat: -23.3 - (i % 150) * 0.0021, lng: -51.8 - Math.floor(i / 150) * 0.0021 };
}

async function seedNetwork(db: Db): Promise<void> {
  const projectId = newId();
  const typeId = newId();
  await db.project.create({ data: { id: projectId, name: 'Bench SGP' } });
  await db.splitterType.create({
    data: { id: typeId, code: `1x${PORTS}`, ratioOut: PORTS, isDrop: true },
  });
  for (let start = 0; start < BOXES; start += 1000) {
    const boxes = Array.from({ length: Math.min(1000, BOXES - start) }, (_, k) => ({
      id: newId(),
      projectId,
      name: `CTO-${String(start + k + 1).padStart(5, '0')}`,
      ...boxPoint(start + k),
    }));
    await db.box.createMany({ data: boxes });
    const splitters = boxes.map((b) => ({
      id: newId(),
      boxId: b.id,
      projectId,
      splitterTypeId: typeId,
      ratioOut: PORTS,
      isDrop: true,
      name: 'S1',
    }));
    await db.splitter.createMany({ data: splitters });
    await db.splitterPort.createMany({
      data: splitters.flatMap((s) =>
        Array.from({ length: PORTS }, (_, p) => ({ splitterId: s.id, index: p + 1 })),
      ),
    });
  }
}

async function child(
  script: string,
  childEnv: NodeJS.ProcessEnv,
): Promise<{ proc: ChildProcess; info: Record<string, string> }> {
  const proc = spawn(
    process.execPath,
    [...(process.env.BENCH_CHILD_ARGS?.split(' ') ?? []), '--import', 'tsx', script],
    {
      env: { ...env, ...childEnv },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(createInterface({ input: proc.stdout }), 'line')) as [string];
  return { proc, info: JSON.parse(line) as Record<string, string> };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  proc.kill('SIGTERM');
  await once(proc, 'exit');
}

interface Latency {
  p50: number;
  p99: number;
  mean: number;
  rps: number;
  errors: number;
}

async function viabilityLoad(url: string, key: string, seconds: number): Promise<Latency> {
  const rnd = random(21);
  const points = Array.from({ length: 2000 }, () => {
    const p = boxPoint(Math.floor(rnd() * BOXES));
    return [p.lat + (rnd() - 0.5) * 0.002, p.lng + (rnd() - 0.5) * 0.002];
  });
  let next = 0;
  const result = await autocannon({
    url,
    duration: seconds,
    connections: 4,
    overallRate: RATE,
    requests: [
      {
        headers: { authorization: key },
        setupRequest: (req) => {
          const [lat, lng] = points[next++ % points.length]!;
          return { ...req, path: `/api/v2/ftth-viability/radius?lat=${lat}&lng=${lng}&radius=300` };
        },
      },
    ],
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.average,
    rps: result.requests.average,
    errors: result.errors + result.non2xx,
  };
}

async function admin(url: string, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: key, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

interface RunReport {
  status: string;
  durationMs: number | null;
  counts: Record<string, number | Record<string, number>>;
  error: string | null;
}

async function cycle(url: string, key: string, during?: () => Promise<Latency>) {
  const { runId } = (await admin(url, key, 'POST', '/admin/sync-runs', {
    integration: 'bench',
  })) as {
    runId: string;
  };
  const latency = during?.();
  const deadline = Date.now() + CYCLE_LIMIT_MS;
  let run: RunReport;
  for (;;) {
    run = (await admin(
      url,
      key,
      'GET',
      `/admin/sync-runs/${runId}?limit=1`,
    )) as unknown as RunReport;
    if (run.status !== 'running') break;
    if (Date.now() > deadline) throw new Error('cycle did not finish in 20 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
  return { run, latency: await latency };
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}

async function main(): Promise<void> {
  const pgAdmin = env.BENCH_POSTGRES_URL;
  let url: string;
  let cleanup: () => Promise<void>;
  if (pgAdmin) {
    const name = `sgp_bench_${randomBytes(4).toString('hex')}`;
    const client = new pg.Client({ connectionString: pgAdmin });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const u = new URL(pgAdmin);
    u.pathname = `/${name}`;
    url = u.toString();
    cleanup = async () => {
      const c = new pg.Client({ connectionString: pgAdmin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'alcance-sgp-bench-'));
    url = `file:${join(dir, 'bench.db')}`;
    cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
  }
  const procs: ChildProcess[] = [];
  try {
    let t = performance.now();
    await applyMigrations(url);
    const db = createDb(url);
    await seedNetwork(db);
    await db.$disconnect();
    const seedMs = performance.now() - t;
    t = performance.now();
    const sim = await child('bench/sgp-simulator-process.ts', {
      BENCH_SGP_CONTRACTS: String(CONTRACTS),
      BENCH_SGP_BOXES: String(BOXES),
    });
    procs.push(sim.proc);
    // SGP runs on the provider's own server in production, not on Alcance's cores: here it shares
    // them, so it yields them to the server under test (BENCH_SGP_SIMULATOR_NICE=0 to compare).
    setPriority(sim.proc.pid!, Number(env.BENCH_SGP_SIMULATOR_NICE ?? 19));
    const simMs = performance.now() - t;
    const server = await child('bench/sgp-server.ts', { DATABASE_URL: url });
    procs.push(server.proc);
    const {
      url: base,
      key,
      adminKey,
    } = server.info as { url: string; key: string; adminKey: string };
    await admin(base, adminKey, 'POST', '/admin/integrations', {
      name: 'bench',
      kind: 'sgp',
      url: sim.info.url,
      token: sim.info.token,
      app: sim.info.app,
    });
    // Warmed up first (JIT, the index's first walks), so "at rest" is not the cold start.
    await viabilityLoad(base, key, 5);
    const atRest = await viabilityLoad(base, key, SECONDS);
    const before = (await admin(base, adminKey, 'GET', '/bench/memory?reset=1')) as {
      now: { rss: number; heapUsed: number };
    };
    const first = await cycle(base, adminKey, () => viabilityLoad(base, key, SECONDS));
    const during = first.latency!;
    const peak = (await admin(base, adminKey, 'GET', '/bench/memory?reset=1')) as {
      peak: { rss: number; heapUsed: number };
    };
    const second = await cycle(base, adminKey);
    const afterRest = await viabilityLoad(base, key, SECONDS);
    const count = (c: RunReport, k: string) => (typeof c.counts[k] === 'number' ? c.counts[k] : 0);

    const db2 = createDb(url);
    const clients = await db2.ftthClient.count();
    await db2.$disconnect();

    const out = [
      `SGP benchmark: ${CONTRACTS} contracts in SGP, ${BOXES} boxes of ${PORTS} ports, ${pgAdmin ? 'PostgreSQL' : 'SQLite'}`,
      `(network seeded in ${(seedMs / 1000).toFixed(1)} s; simulator generated in ${(simMs / 1000).toFixed(1)} s)`,
      '',
      '| cycle | status | duration s | contracts | created | updated | implanted | cancelled | removed | skipped | errors |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...[
        ['first full cycle', first.run],
        ['second full cycle, nothing changed', second.run],
      ].map(([label, r]) => {
        const run = r as RunReport;
        return `| ${label as string} | ${run.status} | ${((run.durationMs ?? 0) / 1000).toFixed(1)} | ${count(run, 'contracts')} | ${count(run, 'created')} | ${count(run, 'updated')} | ${count(run, 'implanted')} | ${count(run, 'cancelled')} | ${count(run, 'removed')} | ${count(run, 'skipped')} | ${count(run, 'error')} |`;
      }),
      '',
      `clients in the inventory after the cycles: ${clients}`,
      `server memory: RSS ${mb(before.now.rss)} MB before the first cycle, peak ${mb(peak.peak.rss)} MB during it (+${mb(peak.peak.rss - before.now.rss)} MB); heap ${mb(before.now.heapUsed)} → peak ${mb(peak.peak.heapUsed)} MB`,
      '',
      `viability route at ${RATE} requests/s for ${SECONDS} s (autocannon, 4 connections, its own process):`,
      '',
      '| when | p50 ms | p99 ms | mean ms | requests/s | errors | mean vs rest |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...[
        ['at rest', atRest],
        ['during the first cycle', during],
        ['at rest, after', afterRest],
      ].map(([label, l]) => {
        const x = l as Latency;
        return `| ${label as string} | ${x.p50.toFixed(2)} | ${x.p99.toFixed(2)} | ${x.mean.toFixed(2)} | ${x.rps.toFixed(0)} | ${x.errors} | ${(x.mean / atRest.mean).toFixed(2)} |`;
      }),
    ];
    if (first.run.error) out.push('', `first cycle error: ${first.run.error}`);
    console.log(out.join('\n'));
  } finally {
    for (const p of procs.reverse()) await stop(p);
    await cleanup();
  }
}

await main();
