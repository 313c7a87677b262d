import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ReservationService, type ReservationRequest } from '../../src/services/reservations.js';
import { ViabilityService } from '../../src/services/viability-service.js';
import { releaseExpiredReservations } from '../../src/jobs/reservation-expiry.js';
import { createProspect } from '../../src/services/prospects.js';
import {
  ConflictError,
  NoFreePortError,
  NotFoundError,
  ValidationError,
} from '../../src/errors.js';
import { newId } from '../../src/ids.js';
import { freshDatabase, testProviders, type TestDatabase } from '../support/db.js';
import { createBox } from '../support/network-fixture.js';

const silent = pino({ level: 'silent' });
const DAY = 86_400_000;
// A street in Maringá: boxes ~100 m apart going east.
const origin = { lat: -23.4253, lng: -51.9386 };
const east = (meters: number) => ({
  lat: origin.lat,
  lng: origin.lng + meters / (111_320 * Math.cos((origin.lat * Math.PI) / 180)),
});

describe.each(testProviders())('reservations on %s', (provider) => {
  let t: TestDatabase;
  let clock: Date;
  let viability: ViabilityService;
  let reservations: ReservationService;

  beforeAll(async () => {
    t = await freshDatabase(provider);
  });
  afterAll(async () => t.drop());

  beforeEach(async () => {
    await t.db.property.deleteMany();
    await t.db.ftthClient.deleteMany();
    await t.db.splitterPort.deleteMany();
    await t.db.splitter.deleteMany();
    await t.db.box.deleteMany();
    clock = new Date('2026-11-01T12:00:00Z');
  });

  async function services() {
    viability = await ViabilityService.load(t.db, {
      defaultRadiusMeters: () => 300,
      maxRadiusMeters: 5000,
      maxBoxes: () => 20,
      logger: silent,
    });
    reservations = new ReservationService({
      db: t.db,
      network: viability,
      finder: viability,
      now: () => clock,
    });
  }

  const request = (code: string, extra: Partial<ReservationRequest> = {}): ReservationRequest => ({
    clientCode: code,
    client: { name: 'Maria da Silva', phone: '44999990000', email: 'maria@example.com' },
    point: east(0),
    address: 'Av. Brasil, 1000 - Maringá - PR',
    target: { kind: 'nearest' },
    reservedBy: 'conecteai',
    expiresInDays: 7,
    ...extra,
  });

  it('reserves the first free port of the nearest viable box, and the next query sees it', async () => {
    const near = await createBox(t.db, {
      name: 'CTO-NEAR',
      ...east(50),
      splitters: [{ ratio: 8, taken: [1] }],
    });
    await createBox(t.db, { name: 'CTO-FAR', ...east(150) });
    await services();
    expect(viability.check({ ...east(0) }).boxes.map((b) => [b.name, b.availability])).toEqual([
      ['CTO-NEAR', 7],
      ['CTO-FAR', 8],
    ]);

    const r = await reservations.reserve(request('C-1'));
    expect(r).toMatchObject({
      created: true,
      boxId: near.boxId,
      boxName: 'CTO-NEAR',
      port: 2,
      implanted: false,
    });
    expect(r.expiresAt?.getTime()).toBe(clock.getTime() + 7 * DAY);
    const client = await t.db.ftthClient.findUniqueOrThrow({
      where: { code: 'C-1' },
      include: { property: true },
    });
    expect(client).toMatchObject({
      implanted: false,
      reservedBy: 'conecteai',
      name: 'Maria da Silva',
    });
    expect(client.property).toMatchObject({
      splitterId: near.splitterIds[0],
      port: 2,
      address: 'Av. Brasil, 1000 - Maringá - PR',
    });
    expect(client.property?.lat).toBeCloseTo(origin.lat, 9);
    expect(viability.check({ ...east(0) }).boxes[0]).toMatchObject({
      name: 'CTO-NEAR',
      availability: 6,
    });
  });

  it('is idempotent by client code, also when the same request races with itself', async () => {
    await createBox(t.db, { ...east(20) });
    await services();
    const first = await reservations.reserve(request('C-2'));
    const again = await reservations.reserve(request('C-2'));
    expect(again).toMatchObject({ created: false, propertyId: first.propertyId, port: first.port });
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => reservations.reserve(request('C-3'))),
    );
    expect(new Set(burst.map((r) => r.propertyId)).size).toBe(1);
    expect(burst.filter((r) => r.created)).toHaveLength(1);
    expect(await t.db.property.count()).toBe(2);
  });

  it('moves on to the next box when the nearest filled up meanwhile', async () => {
    const near = await createBox(t.db, { ...east(30), splitters: [{ ratio: 2 }] });
    const far = await createBox(t.db, { ...east(120) });
    await services();
    // Another instance fills the near box behind the index's back.
    for (const port of [1, 2]) {
      await t.db.property.create({
        data: {
          id: newId(),
          projectId: near.projectId,
          boxId: near.boxId,
          splitterId: near.splitterIds[0],
          port,
        },
      });
    }
    const r = await reservations.reserve(request('C-4'));
    expect(r.boxId).toBe(far.boxId);
  });

  it('refuses bad requests with a clear error and writes nothing', async () => {
    const draft = await createBox(t.db, { draft: true, ...east(10) });
    const full = await createBox(t.db, { ...east(200), splitters: [{ ratio: 2, taken: [1, 2] }] });
    await services();
    const cases: Array<[ReservationRequest, new (...a: never[]) => Error, RegExp]> = [
      [request('X1', { target: { kind: 'box', boxId: draft.boxId } }), ConflictError, /Em projeto/],
      [
        request('X2', { target: { kind: 'box', boxId: full.boxId } }),
        NoFreePortError,
        /no free port/,
      ],
      [request('X3', { target: { kind: 'box', boxId: newId() } }), NotFoundError, /not found/],
      [
        request('X4', { point: { lat: Number.NaN, lng: 1 } }),
        ValidationError,
        /lat must be a number/,
      ],
      [request('X5', { point: { lat: -95, lng: 1 } }), ValidationError, /between -90 and 90/],
      [request('X6', { point: { lat: 10, lng: 10 } }), NoFreePortError, /no viable box/],
      [request('  '), ValidationError, /code is required/],
      [request('X7', { expiresInDays: -1 }), ValidationError, /positive/],
      [
        request('X8', { target: { kind: 'port', splitterId: full.splitterIds[0]!, port: 3 } }),
        ValidationError,
        /beyond/,
      ],
    ];
    for (const [req, type, message] of cases) {
      const error = await reservations.reserve(req).catch((e: unknown) => e);
      expect(error, req.clientCode).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
    }
    expect(await t.db.ftthClient.count()).toBe(0);
    expect(await t.db.property.count()).toBe(2);
  });

  it('gives exactly 8 of 200 concurrent customers a port on a box with 8 free ports', async () => {
    await createBox(t.db, { ...east(40) });
    await services();
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => reservations.reserve(request(`RACE-${i}`))),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason as Error);
    expect(ok).toHaveLength(8);
    expect(failed.every((e) => e instanceof NoFreePortError)).toBe(true);
    const ports = await t.db.property.findMany({ select: { splitterId: true, port: true } });
    expect(new Set(ports.map((p) => `${p.splitterId}:${p.port}`)).size).toBe(8);
    expect(await t.db.ftthClient.count()).toBe(8);
    expect(viability.check({ ...east(0) }).viable).toBe(false);
  });

  it('releases expired, unconfirmed reservations only, freeing their ports', async () => {
    await createBox(t.db, { ...east(40) });
    await services();
    const conecte = await reservations.reserve(request('EXP-1'));
    const ispbox = await reservations.reserve(
      request('EXP-2', { reservedBy: 'ispbox', expiresInDays: 30 }),
    );
    const confirmed = await reservations.reserve(request('EXP-3'));
    await t.db.ftthClient.update({ where: { id: confirmed.clientId }, data: { implanted: true } });
    expect(viability.check({ ...east(0) }).boxes[0]?.availability).toBe(5);

    expect(
      await releaseExpiredReservations(
        t.db,
        viability,
        silent,
        new Date(clock.getTime() + 6 * DAY),
      ),
    ).toEqual([]);
    const week = await releaseExpiredReservations(
      t.db,
      viability,
      silent,
      new Date(clock.getTime() + 7 * DAY + 1),
    );
    expect(week.map((r) => [r.clientCode, r.port])).toEqual([['EXP-1', conecte.port]]);
    expect(await t.db.ftthClient.findUnique({ where: { code: 'EXP-1' } })).toBeNull();
    expect(await t.db.property.findUnique({ where: { id: conecte.propertyId } })).toBeNull();
    expect(viability.check({ ...east(0) }).boxes[0]?.availability).toBe(6);

    const month = await releaseExpiredReservations(
      t.db,
      viability,
      silent,
      new Date(clock.getTime() + 31 * DAY),
    );
    expect(month.map((r) => r.clientCode)).toEqual(['EXP-2']);
    expect(await t.db.property.findUnique({ where: { id: ispbox.propertyId } })).toBeNull();
    expect(await t.db.ftthClient.findUnique({ where: { code: 'EXP-3' } })).not.toBeNull();
    // The freed port is taken again by the next customer.
    const next = await reservations.reserve(request('EXP-4'));
    expect(next.port).toBe(Math.min(conecte.port, ispbox.port));
  });

  it('reflects box edits, additions and removals in the very next query', async () => {
    const a = await createBox(t.db, { name: 'A', ...east(100) });
    await services();
    expect(viability.check({ ...east(0) }).boxes.map((b) => b.name)).toEqual(['A']);
    await t.db.box.update({ where: { id: a.boxId }, data: { lat: 0, lng: 0 } });
    const b = await createBox(t.db, { name: 'B', ...east(250) });
    await viability.boxesChanged([a.boxId, b.boxId]);
    expect(viability.check({ ...east(0) }).boxes.map((x) => x.name)).toEqual(['B']);
    await t.db.box.update({ where: { id: b.boxId }, data: { draft: true } });
    await viability.boxesChanged([b.boxId]);
    expect(viability.check({ ...east(0) }).refused.map((x) => [x.name, x.reason])).toEqual([
      ['B', 'draft'],
    ]);
    await t.db.box.delete({ where: { id: b.boxId } });
    await viability.boxesChanged([b.boxId]);
    expect(viability.check({ ...east(0) })).toMatchObject({
      viable: false,
      boxes: [],
      refused: [],
    });
  });

  it('caps absurd radii and says so; rejects negative radii and unknown tags', async () => {
    await createBox(t.db, { ...east(10) });
    await services();
    expect(viability.check({ ...east(0), radius: 1e9 })).toMatchObject({
      radius: 5000,
      radiusCapped: true,
    });
    expect(() => viability.check({ ...east(0), radius: -5 })).toThrow(/radius must be a positive/);
    expect(() => viability.check({ ...east(0), tags: ['nope'] })).toThrow(/unknown tag/);
  });

  it('records prospects as not viable with the configured tags', async () => {
    const p = await createProspect(
      t.db,
      {
        name: 'João Souza',
        phone: '44988887777',
        point: east(0),
        tags: ['sem-cobertura', 'chatbot'],
        source: 'chatbot:telegram',
      },
      clock,
    );
    const row = await t.db.prospect.findUniqueOrThrow({
      where: { id: p.id },
      include: { tags: true },
    });
    expect(row).toMatchObject({ viable: false, name: 'João Souza', source: 'chatbot:telegram' });
    expect(row.tags.map((x) => x.name).sort()).toEqual(['chatbot', 'sem-cobertura']);
    await createProspect(t.db, { name: 'Ana', tags: ['chatbot'], source: 'fivehub' });
    expect(await t.db.tag.count()).toBe(2);
    await expect(createProspect(t.db, { tags: [], source: 'x' })).rejects.toThrow(ValidationError);
  });
});
