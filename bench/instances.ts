// Two instances against one on this machine, on PostgreSQL (+ Redis for the broadcasts), with the
// demo network: `npm run bench:instances`. The same load generator in both cases (two autocannon
// workers with the same connections); only their targets differ: [A, A] for one instance, [A, B]
// for two. Compare the ratios within one run; the machine is shared and noisy.
//   BENCH_POSTGRES_URL (or TEST_POSTGRES_URL), BENCH_REDIS_URL (or TEST_REDIS_URL),
//   BENCH_SECONDS (8), BENCH_CONNECTIONS (32), BENCH_ROUNDS (2), BENCH_NODE_ARGS
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { pino } from 'pino';
import { createApiKey } from '../src/ozmap-model/api-keys.js';
import { createDb } from '../src/ozmap-model/db/client.js';
import { applyMigrations } from '../src/ozmap-model/db/migrate.js';
import { CITY } from '../src/ozmap-model/demo-network/maringa.js';
import { seedDemoIfEmpty } from '../src/ozmap-model/demo-network/seed.js';
import { random } from './data.js';
import { UNLIMITED_RATES } from './rate-limits.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PG = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
const REDIS = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
if (!PG || !REDIS)
  throw new Error('set BENCH_POSTGRES_URL and BENCH_REDIS_URL (scripts/test-services.sh)');

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG });
  await client.connect();
  await client.query(sql);
  await client.end();
}

async function startInstance(
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  // BENCH_NODE_ARGS go to each instance's node (e.g. `--cpu-prof --cpu-prof-dir=DIR`).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, 'dist/main.js', 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/ready`)).ok) return { url, child };
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('instance did not start');
}

interface Load {
  name: string;
  request: (worker: number) => autocannon.Request;
  /** Counts as done: 2xx (a viability answer, a created reservation). */
}

/** Two workers at once, each with half the connections, against `targets`; 2xx per second. */
async function run(
  targets: [string, string],
  load: Load,
): Promise<{ rps: number; non2xx: number; p99: number; statuses: Record<string, number> }> {
  const results = await Promise.all(
    targets.map((url, worker) =>
      autocannon({
        url,
        duration: SECONDS,
        connections: CONNECTIONS / 2,
        requests: [load.request(worker)],
      }),
    ),
  );
  const ok = results.reduce((s, r) => s + r.requests.total - r.non2xx, 0);
  const statuses: Record<string, number> = {};
  for (const r of results)
    for (const [status, { count }] of Object.entries(r.statusCodeStats ?? {}))
      statuses[status] = (statuses[status] ?? 0) + count;
  return {
    statuses,
    rps: ok / SECONDS,
    non2xx: results.reduce((s, r) => s + r.non2xx, 0),
    p99: Math.max(...results.map((r) => r.latency.p99)),
  };
}

const name = `alcance_bench_${randomBytes(4).toString('hex')}`;
await admin(`CREATE DATABASE ${name}`);
const url = new URL(PG);
url.pathname = `/${name}`;
const children: ChildProcess[] = [];
try {
  execFileSync(process.execPath, ['scripts/build.mjs', '--missing'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  await applyMigrations(url.toString());
  const db = createDb(url.toString());
  await seedDemoIfEmpty(db, 42, pino({ level: 'silent' }));
  const { key } = await createApiKey(db, 'bench');
  const boxes = (
    await db.box.findMany({
      where: { draft: false, splitters: { some: { isDrop: true } } },
      select: { id: true, lat: true, lng: true },
    })
  ).map((b) => b);
  const env = {
    DATABASE_URL: url.toString(),
    REDIS_URL: REDIS,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DEMO_NETWORK: 'off',
    NETWORK_SYNC_INTERVAL_SECONDS: process.env.BENCH_SYNC_SECONDS ?? '1',
    SECRETS_KEY: randomBytes(32).toString('base64'),
    ...UNLIMITED_RATES,
  };

  const rnd = random(11);
  const points = Array.from({ length: 2_000 }, () => [
    CITY.centre.lat + (rnd() - 0.5) * 0.027,
    CITY.centre.lng + (rnd() - 0.5) * 0.029,
  ]);
  let n = 0;
  const viability: Load = {
    name: 'viability (GET /api/v2/ftth-viability/radius)',
    request: () => ({
      method: 'GET',
      headers: { authorization: key },
      setupRequest: (req) => {
        const [lat, lng] = points[n++ % points.length]!;
        return { ...req, path: `/api/v2/ftth-viability/radius?lat=${lat}&lng=${lng}&radius=300` };
      },
    }),
  };
  let code = 0;
  const reservations: Load = {
    name: 'reservations (POST /api/v2/properties, auto_connect)',
    request: () => ({
      method: 'POST',
      path: '/api/v2/properties',
      headers: { authorization: key, 'content-type': 'application/json' },
      setupRequest: (req) => {
        const box = boxes[Math.floor(Math.random() * boxes.length)]!;
        return {
          ...req,
          body: JSON.stringify({
            box: box.id,
            coords: [box.lng, box.lat],
            client: { code: `BENCH-${++code}`, name: 'Cliente Bench', implanted: false },
            auto_connect: true,
          }),
        };
      },
    }),
  };
  /** Frees the ports a reservation run took, so every run starts from the same network. */
  const reset = async () => {
    await db.$executeRawUnsafe(
      `DELETE FROM "Property" WHERE "clientId" IN (SELECT "id" FROM "FtthClient" WHERE "code" LIKE 'BENCH-%')`,
    );
    await db.$executeRawUnsafe(`DELETE FROM "FtthClient" WHERE "code" LIKE 'BENCH-%'`);
    await new Promise((r) => setTimeout(r, 2_500)); // the instances' change-log poll picks it up
  };

  const a = await startInstance(env);
  children.push(a.child);
  const figures: Record<string, Record<'one' | 'two', number[]>> = {};
  const record = (load: Load, mode: 'one' | 'two', rps: number) => {
    figures[load.name] ??= { one: [], two: [] };
    figures[load.name]![mode].push(rps);
  };
  const b = await startInstance(env);
  children.push(b.child);
  for (let round = 0; round < ROUNDS; round++) {
    for (const load of [viability, reservations]) {
      for (const mode of ['one', 'two'] as const) {
        const targets: [string, string] = mode === 'one' ? [a.url, a.url] : [a.url, b.url];
        const result = await run(targets, load);
        record(load, mode, result.rps);
        console.error(
          `round ${round + 1} ${mode === 'one' ? '1 instance ' : '2 instances'} ${load.name}: ${result.rps.toFixed(0)}/s (statuses ${JSON.stringify(result.statuses)}, errors p99 ${result.p99} ms)`,
        );
        if (load === reservations) await reset();
      }
    }
  }
  console.log('\n| workload | 1 instance (/s) | 2 instances (/s) | ratio |\n|---|---|---|---|');
  for (const [load, f] of Object.entries(figures)) {
    const best = (xs: number[]) => Math.max(...xs);
    console.log(
      `| ${load} | ${best(f.one).toFixed(0)} | ${best(f.two).toFixed(0)} | ${(best(f.two) / best(f.one)).toFixed(2)}× |`,
    );
  }
  await db.$disconnect();
} finally {
  for (const child of children) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
