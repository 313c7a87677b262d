// Reservation throughput and the race: `npm run bench:reservations`.
// SQLite by default (a temp file); BENCH_POSTGRES_URL=postgres://… runs it on PostgreSQL too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { createDb, type Db } from '../src/ozmap-model/db/client.js';
import { applyMigrations } from '../src/ozmap-model/db/migrate.js';
import { newId } from '../src/ids.js';
import { ReservationService } from '../src/services/reservations.js';
import { ViabilityService } from '../src/services/viability-service.js';
import { NoFreePortError } from '../src/errors.js';

const TOTAL = Number(process.env.BENCH_RESERVATIONS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const logger = pino({ level: 'silent' });

async function seed(db: Db, boxes: number, ratio: number): Promise<void> {
  const projectId = newId();
  const typeId = newId();
  await db.project.create({ data: { id: projectId, name: 'Bench' } });
  await db.splitterType.create({
    data: { id: typeId, code: `1x${ratio}`, ratioOut: ratio, isDrop: true },
  });
  const rows = Array.from({ length: boxes }, (_, i) => ({
    id: newId(),
    projectId,
    name: `CTO-${i}`,
    lat: -23.4253 + (i % 50) * 0.0009,
    lng: -51.9386 + Math.floor(i / 50) * 0.0009,
  }));
  await db.box.createMany({ data: rows });
  const splitters = rows.map((b) => ({
    id: newId(),
    boxId: b.id,
    projectId,
    splitterTypeId: typeId,
    ratioOut: ratio,
    isDrop: true,
    name: 'S1',
  }));
  await db.splitter.createMany({ data: splitters });
  await db.splitterPort.createMany({
    data: splitters.flatMap((s) =>
      Array.from({ length: ratio }, (_, k) => ({ splitterId: s.id, index: k + 1 })),
    ),
  });
}

async function services(db: Db) {
  const viability = await ViabilityService.load(db, {
    defaultRadiusMeters: () => 300,
    maxRadiusMeters: 5000,
    maxBoxes: () => 20,
    logger,
  });
  return {
    viability,
    reservations: new ReservationService({
      db,
      network: viability,
      finder: viability,
      now: () => new Date(),
    }),
  };
}

async function throughput(db: Db): Promise<{ perSecond: number; ms: number }> {
  await seed(db, Math.ceil(TOTAL / 16) + 10, 16);
  const { reservations } = await services(db);
  const boxes = await db.box.findMany({ select: { id: true, name: true } });
  const boxByName = new Map(boxes.map((b) => [b.name, b.id]));
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < TOTAL) {
        const i = next++;
        await reservations.reserve({
          clientCode: `B-${i}`,
          client: { name: `Cliente ${i}` },
          target: { kind: 'box', boxId: boxByName.get(`CTO-${Math.floor(i / 16)}`)! },
          reservedBy: 'bench',
          expiresInDays: 7,
        });
      }
    }),
  );
  const ms = performance.now() - started;
  return { perSecond: Math.round((TOTAL / ms) * 1000), ms: Math.round(ms) };
}

async function race(db: Db): Promise<{ won: number; noFreePort: number; other: number }> {
  await db.property.deleteMany();
  await db.ftthClient.deleteMany();
  const projectId = (await db.project.findFirstOrThrow()).id;
  const typeId = (await db.splitterType.findFirstOrThrow()).id;
  const boxId = newId();
  const splitterId = newId();
  await db.box.create({ data: { id: boxId, projectId, name: 'CTO-RACE', lat: -10, lng: -40 } });
  await db.splitter.create({
    data: { id: splitterId, boxId, projectId, splitterTypeId: typeId, ratioOut: 16, isDrop: true },
  });
  for (let port = 9; port <= 16; port++) {
    await db.property.create({ data: { id: newId(), projectId, boxId, splitterId, port } });
  }
  const { reservations } = await services(db);
  const results = await Promise.allSettled(
    Array.from({ length: 200 }, (_, i) =>
      reservations.reserve({
        clientCode: `R-${i}`,
        client: {},
        point: { lat: -10, lng: -40 },
        target: { kind: 'nearest' },
        reservedBy: 'bench',
        expiresInDays: 7,
      }),
    ),
  );
  const rejected = results.filter((r) => r.status === 'rejected').map((r) => r.reason as unknown);
  return {
    won: results.length - rejected.length,
    noFreePort: rejected.filter((e) => e instanceof NoFreePortError).length,
    other: rejected.filter((e) => !(e instanceof NoFreePortError)).length,
  };
}

async function onDatabase(name: string, url: string, cleanup: () => Promise<void>) {
  await applyMigrations(url);
  const db = createDb(url);
  try {
    const t = await throughput(db);
    const r = await race(db);
    console.log(
      `| ${name} | ${TOTAL} | ${CONCURRENCY} | ${t.ms} | ${t.perSecond} | ${r.won} | ${r.noFreePort} | ${r.other} |`,
    );
  } finally {
    await db.$disconnect();
    await cleanup();
  }
}

console.log(
  `| database | reservations | concurrency | ms | reservations/s | race: won (of 200, 8 free) | race: "no free port" | race: other errors |`,
);
console.log('|---|---|---|---|---|---|---|---|');
const dir = mkdtempSync(join(tmpdir(), 'alcance-bench-'));
await onDatabase('SQLite', `file:${join(dir, 'bench.db')}`, async () =>
  rmSync(dir, { recursive: true, force: true }),
);
const pgAdmin = process.env.BENCH_POSTGRES_URL;
if (pgAdmin) {
  const name = `alcance_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: pgAdmin });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(pgAdmin);
  url.pathname = `/${name}`;
  await onDatabase('PostgreSQL', url.toString(), async () => {
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    await admin.end();
  });
}
