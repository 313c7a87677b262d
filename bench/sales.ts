// The sales workspace at a provider's size: `npm run bench:sales`.
// 20 000 boxes, 20 000 reservations, 5 000 prospects in a temp SQLite file (BENCH_POSTGRES_URL=
// postgres://… adds PostgreSQL). Measures the watch's first sweep on a database that had them
// before the workspace existed (baseline), an idle sweep (what every instance does every 3 s),
// a sweep that finds 100 new reservations, the list's search and paging, the CSV export of every
// row, and the map over a dense area.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { newId } from '../src/ids.js';
import { createDb, type Db } from '../src/ozmap-model/db/client.js';
import { applyMigrations } from '../src/ozmap-model/db/migrate.js';
import { parseListQuery } from '../src/sales/list-query.js';
import { MemoryLiveBus } from '../src/sales/live.js';
import { mapData } from '../src/sales/map-data.js';
import {
  RESERVATION_SORTS,
  RESERVATION_STATUSES,
  SalesReservations,
} from '../src/sales/reservations.js';
import { Transcript } from '../src/sales/transcript.js';
import { SalesWatch } from '../src/sales/watch.js';

const BOXES = Number(process.env.BENCH_BOXES ?? 20_000);
const PROSPECTS = Number(process.env.BENCH_PROSPECTS ?? 5_000);
const logger = pino({ level: 'silent' });
const now = () => new Date('2026-12-01T13:00:00Z');

async function seed(db: Db): Promise<{ projectId: string; splitters: string[] }> {
  const projectId = newId();
  const typeId = newId();
  await db.project.create({ data: { id: projectId, name: 'Bench' } });
  await db.splitterType.create({ data: { id: typeId, code: '1x8', ratioOut: 8, isDrop: true } });
  const side = Math.ceil(Math.sqrt(BOXES));
  const boxes = Array.from({ length: BOXES }, (_, i) => ({
    id: newId(),
    projectId,
    name: `CTO-${i}`,
    lat: -23.4253 + (i % side) * 0.0009,
    lng: -51.9386 + Math.floor(i / side) * 0.0009,
  }));
  const splitters = boxes.map((b) => ({
    id: newId(),
    boxId: b.id,
    projectId,
    splitterTypeId: typeId,
    ratioOut: 8,
    isDrop: true,
    name: 'S1',
  }));
  for (let i = 0; i < boxes.length; i += 2000) {
    await db.box.createMany({ data: boxes.slice(i, i + 2000) });
    await db.splitter.createMany({ data: splitters.slice(i, i + 2000) });
    await db.splitterPort.createMany({
      data: splitters
        .slice(i, i + 2000)
        .flatMap((s) => Array.from({ length: 8 }, (_, k) => ({ splitterId: s.id, index: k + 1 }))),
    });
  }
  await reservations(
    db,
    projectId,
    boxes.map((b, i) => ({ box: b, splitter: splitters[i]!.id, port: 1, n: i })),
  );
  const prospects = Array.from({ length: PROSPECTS }, (_, i) => ({
    id: newId(),
    name: `Prospect ${i}`,
    phone: `5544988${String(i).padStart(6, '0')}`,
    lat: -23.4253 + (i % 70) * 0.0013,
    lng: -51.9386 + Math.floor(i / 70) * 0.0013,
    source: 'chatbot:whatsapp',
    viable: false,
  }));
  for (let i = 0; i < prospects.length; i += 2000)
    await db.prospect.createMany({ data: prospects.slice(i, i + 2000) });
  return { projectId, splitters: splitters.map((s) => s.id) };
}

async function reservations(
  db: Db,
  projectId: string,
  rows: Array<{
    box: { id: string; lat: number; lng: number };
    splitter: string;
    port: number;
    n: number;
  }>,
): Promise<void> {
  const clients = rows.map((r) => ({
    id: newId(),
    code: `R-${r.n}-${r.port}`,
    name: `Cliente ${r.n} da Silva`,
    phone: `5544999${String(r.n).padStart(6, '0')}`,
    document: String(10_000_000_000 + r.n),
    email: `cliente${r.n}@example.com`,
    implanted: false,
    reservedBy: r.n % 3 === 0 ? 'chatbot:telegram' : 'conecteai',
    reservationExpiresAt: new Date(now().getTime() + ((r.n % 14) + 1) * 86_400_000),
  }));
  for (let i = 0; i < clients.length; i += 2000) {
    await db.ftthClient.createMany({ data: clients.slice(i, i + 2000) });
    await db.property.createMany({
      data: rows.slice(i, i + 2000).map((r, k) => ({
        id: newId(),
        projectId,
        clientId: clients[i + k]!.id,
        boxId: r.box.id,
        splitterId: r.splitter,
        port: r.port,
        lat: r.box.lat,
        lng: r.box.lng,
        address: `Rua ${r.n}, ${r.n % 900}`,
      })),
    });
  }
}

async function time<T>(fn: () => Promise<T>, runs = 5): Promise<{ ms: number; value: T }> {
  let value = await fn();
  const start = performance.now();
  for (let i = 1; i < runs; i++) value = await fn();
  return { ms: runs > 1 ? (performance.now() - start) / (runs - 1) : 0, value };
}

async function run(label: string, url: string): Promise<void> {
  await applyMigrations(url);
  const db = createDb(url);
  const t0 = performance.now();
  const { projectId } = await seed(db);
  console.log(
    `${label}: seeded ${BOXES} boxes, ${BOXES} reservations, ${PROSPECTS} prospects in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const watch = new SalesWatch({
    db,
    now,
    logger,
    expiringWithinMs: 24 * 3_600_000,
    onEvents: () => {},
  });
  let s = performance.now();
  await watch.baseline();
  const baselineMs = performance.now() - s;
  const idle = await time(() => watch.sweep());
  // 100 new reservations on the second splitter port of 100 boxes.
  const boxes = await db.box.findMany({ take: 100, include: { splitters: true } });
  await reservations(
    db,
    projectId,
    boxes.map((b, i) => ({ box: b, splitter: b.splitters[0]!.id, port: 2, n: 900_000 + i })),
  );
  s = performance.now();
  const recorded = await watch.sweep();
  const newMs = performance.now() - s;

  const sales = new SalesReservations({
    db,
    now,
    logger,
    network: {
      boxesChanged: async () => {},
      regionsChanged: async () => {},
      polesChanged: async () => {},
      condosChanged: async () => {},
    },
    watch,
    live: new MemoryLiveBus(),
    transcript: new Transcript(db, logger),
    expiringWithinMs: 24 * 3_600_000,
  });
  const q = (query: Record<string, string>) =>
    parseListQuery(query, {
      statuses: RESERVATION_STATUSES,
      sorts: RESERVATION_SORTS,
      defaultSort: '-createdAt',
      timeZone: 'America/Sao_Paulo',
    });
  const page = await time(() => sales.list(q({})));
  const byName = await time(() => sales.list(q({ q: 'Cliente 1234 ' })));
  const byPhone = await time(() => sales.list(q({ q: '(44) 99900-1234' })));
  const expiring = await time(() => sales.list(q({ status: 'expiring', sort: 'expiresAt' })));
  const csv = await time(async () => {
    let rows = 0;
    for await (const chunk of sales.export(q({}))) rows += chunk.length;
    return rows;
  }, 2);
  const map = await time(() =>
    mapData(db, { south: -23.4253, west: -51.9386, north: -23.4053, east: -51.9186 }, now()),
  );

  const rows: Array<[string, string]> = [
    ['watch baseline (first start on an existing database)', `${(baselineMs / 1000).toFixed(1)} s`],
    ['watch sweep, nothing changed', `${idle.ms.toFixed(1)} ms`],
    [`watch sweep, 100 new reservations (${recorded} events)`, `${newMs.toFixed(0)} ms`],
    [`list, first page of ${page.value.total}`, `${page.ms.toFixed(1)} ms`],
    [`list, search by name (${byName.value.total} found)`, `${byName.ms.toFixed(1)} ms`],
    [`list, search by phone digits (${byPhone.value.total} found)`, `${byPhone.ms.toFixed(1)} ms`],
    [`list, expiring soonest first (${expiring.value.total})`, `${expiring.ms.toFixed(1)} ms`],
    [`CSV export, ${csv.value} rows`, `${(csv.ms / 1000).toFixed(2)} s`],
    [
      `map, ${map.value.boxes.length} boxes + ${map.value.reservations.length} reservations + ${map.value.prospects.length} prospects in view`,
      `${map.ms.toFixed(0)} ms`,
    ],
  ];
  console.log(`\n| ${label} | time |\n|---|---|`);
  for (const [what, ms] of rows) console.log(`| ${what} | ${ms} |`);
  await db.$disconnect();
}

const dir = mkdtempSync(join(tmpdir(), 'bench-sales-'));
try {
  await run('SQLite', `file:${join(dir, 'bench.db')}`);
  const admin = process.env.BENCH_POSTGRES_URL;
  if (admin) {
    const name = `alcance_bench_sales_${process.pid}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(admin);
      url.pathname = `/${name}`;
      await run('PostgreSQL', url.toString());
    } finally {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
