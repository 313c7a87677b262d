// Geogrid sync benchmark: `npm run bench:geogrid` (see docs/benchmarks.md). Three processes, as in
// production: the simulated Geogrid over HTTPS with BENCH_GEOGRID_ITEMS network items, the real
// server (trusting the simulator's CA through NODE_EXTRA_CA_CERTS; it runs the sync and serves
// viability), and this driver. It measures the first full sync, an unchanged re-sync, the server's
// memory, and how long a change notification takes to be visible to viability.
//
//   BENCH_GEOGRID_ITEMS=100000 BENCH_GEOGRID_BOXES=30000 BENCH_GEOGRID_DELTAS=20
//   BENCH_POSTGRES_URL=postgres://… (runs on PostgreSQL instead of a temp SQLite file)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { applyMigrations } from '../src/ozmap-model/db/migrate.js';

const env = process.env;
const ITEMS = Number(env.BENCH_GEOGRID_ITEMS ?? 100_000);
const BOXES = Number(env.BENCH_GEOGRID_BOXES ?? 30_000);
const DELTAS = Math.min(Number(env.BENCH_GEOGRID_DELTAS ?? 20), 200);
const RUN_LIMIT_MS = 20 * 60_000;

async function child(
  script: string,
  childEnv: NodeJS.ProcessEnv,
): Promise<{ proc: ChildProcess; info: Record<string, string> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...env, ...childEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: proc.stdout }), 'line')) as [string];
  return { proc, info: JSON.parse(line) as Record<string, string> };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  proc.kill('SIGTERM');
  await once(proc, 'exit');
}

async function call(
  url: string,
  key: string | undefined,
  method: string,
  path: string,
  body?: unknown,
) {
  const send = () =>
    fetch(url + path, {
      method,
      headers: { ...(key ? { authorization: key } : {}), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  // A status poll whose kept-alive socket the server closed is sent again (once) on a new one.
  const res = await send().catch((err: unknown) => {
    if (method !== 'GET') throw err;
    console.error(`bench: ${method} ${path}: ${(err as Error).message}; sent again`);
    return send();
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

async function fullSync(url: string, key: string): Promise<RunReport> {
  const { runId } = (await call(url, key, 'POST', '/admin/sync-runs', {
    integration: 'bench',
  })) as { runId: string };
  const deadline = Date.now() + RUN_LIMIT_MS;
  for (;;) {
    const run = (await call(
      url,
      key,
      'GET',
      `/admin/sync-runs/${runId}?limit=1`,
    )) as unknown as RunReport;
    if (run.status !== 'running') return run;
    if (Date.now() > deadline) throw new Error('the sync did not finish in 20 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const pgAdmin = env.BENCH_POSTGRES_URL;
  let dbUrl: string;
  let cleanup: () => Promise<void>;
  if (pgAdmin) {
    const name = `geogrid_bench_${randomBytes(4).toString('hex')}`;
    const client = new pg.Client({ connectionString: pgAdmin });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const u = new URL(pgAdmin);
    u.pathname = `/${name}`;
    dbUrl = u.toString();
    cleanup = async () => {
      const c = new pg.Client({ connectionString: pgAdmin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'alcance-geogrid-bench-'));
    dbUrl = `file:${join(dir, 'bench.db')}`;
    cleanup = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
  }
  const procs: ChildProcess[] = [];
  try {
    await applyMigrations(dbUrl);
    const t = performance.now();
    const sim = await child('bench/geogrid-simulator-process.ts', {
      BENCH_GEOGRID_ITEMS: String(ITEMS),
      BENCH_GEOGRID_BOXES: String(BOXES),
    });
    procs.push(sim.proc);
    const simMs = performance.now() - t;
    const server = await child('bench/sgp-server.ts', {
      DATABASE_URL: dbUrl,
      NODE_EXTRA_CA_CERTS: sim.info.caFile,
    });
    procs.push(server.proc);
    const {
      url: base,
      key,
      adminKey,
    } = server.info as { url: string; key: string; adminKey: string };
    await call(base, adminKey, 'POST', '/admin/integrations', {
      name: 'bench',
      kind: 'geogrid',
      url: sim.info.url,
      token: sim.info.token,
    });
    const { webhookSecret } = (await call(base, adminKey, 'PUT', '/admin/geogrid/bench/project', {
      projectName: 'Bench Geogrid',
    })) as {
      webhookSecret: string;
    };
    const before = (await call(base, adminKey, 'GET', '/bench/memory?reset=1')) as {
      now: { rss: number; heapUsed: number };
    };
    const first = await fullSync(base, adminKey);
    const peak = (await call(base, adminKey, 'GET', '/bench/memory?reset=1')) as {
      peak: { rss: number; heapUsed: number };
    };
    const second = await fullSync(base, adminKey);
    const peak2 = (await call(base, adminKey, 'GET', '/bench/memory?reset=1')) as {
      peak: { rss: number };
    };

    // Webhook deltas: a new CTO (or a moved one) notified, then asked for through viability.
    const deltas: number[] = [];
    const webhook = `/webhooks/geogrid/bench`;
    for (let i = 0; i < DELTAS; i++) {
      const lat = -23.2 + i * 0.01;
      const lng = -51.7;
      const { id } = (await call(sim.info.control!, undefined, 'POST', '/add', { lat, lng })) as {
        id: number;
      };
      const started = performance.now();
      await call(base, webhookSecret, 'POST', webhook, { idItemRede: id });
      const answer = (await call(
        base,
        key,
        'GET',
        `/api/v2/ftth-viability/radius?lat=${lat}&lng=${lng}&radius=50`,
      )) as { viable?: boolean; boxes?: unknown[] };
      deltas.push(performance.now() - started);
      const viable = answer.viable ?? (Array.isArray(answer.boxes) && answer.boxes.length > 0);
      if (!viable)
        throw new Error(
          `delta ${i}: the new box is not viable right after its notification: ${JSON.stringify(answer).slice(0, 300)}`,
        );
    }
    const count = (r: RunReport, k: string) => (typeof r.counts[k] === 'number' ? r.counts[k] : 0);
    const row = (label: string, r: RunReport) =>
      `| ${label} | ${r.status} | ${((r.durationMs ?? 0) / 1000).toFixed(1)} | ${count(r, 'items')} | ${count(r, 'clients')} | ${count(r, 'portsRead')} | ${count(r, 'created')} | ${count(r, 'updated')} | ${count(r, 'unchanged')} | ${count(r, 'ignored')} | ${count(r, 'skipped')} | ${count(r, 'error')} |`;
    const out = [
      `Geogrid benchmark: ${sim.info.items} network items (${BOXES} CTOs with a service splitter), ${sim.info.clients} Geogrid clients, ${pgAdmin ? 'PostgreSQL' : 'SQLite'}; simulator generated in ${(simMs / 1000).toFixed(1)} s`,
      '',
      '| run | status | duration s | items read | clients read | port lists read | created | updated | unchanged | not synced | skipped | errors |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      row('first full sync', first),
      row('re-sync, nothing changed', second),
      '',
      `server memory: RSS ${mb(before.now.rss)} MB before, peak ${mb(peak.peak.rss)} MB during the first sync (+${mb(peak.peak.rss - before.now.rss)} MB), peak ${mb(peak2.peak.rss)} MB during the re-sync; heap ${mb(before.now.heapUsed)} → peak ${mb(peak.peak.heapUsed)} MB`,
      `webhook delta, notification sent → viability answer showing the new box (${DELTAS} deltas): p50 ${percentile(deltas, 50).toFixed(0)} ms, p95 ${percentile(deltas, 95).toFixed(0)} ms, max ${Math.max(...deltas).toFixed(0)} ms`,
    ];
    if (first.error) out.push('', `first sync error: ${first.error}`);
    console.log(out.join('\n'));
  } finally {
    for (const p of procs.reverse()) await stop(p);
    await cleanup();
  }
}

await main();
