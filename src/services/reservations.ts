import type { NetworkChanges } from '../context.js';
import { ConflictError, NoFreePortError, NotFoundError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import { clientHistoryAfter } from '../ozmap-model/client-history.js';
import type { SalesChangePort } from '../sales/events.js';
import { chatOfMeta } from '../sales/snapshots.js';
import {
  isUniqueViolation,
  pgPool,
  sqliteSession,
  type Db,
  type Tx,
} from '../ozmap-model/db/client.js';
import { pgUniqueViolation, pgWrite, type PgSql } from '../ozmap-model/db/pg-write.js';
import { sqliteUniqueViolation, writeSync, type SyncSql } from '../ozmap-model/db/sqlite-sync.js';
import {
  chooseBoxPortPg,
  chooseBoxPortSync,
  retryOnTakenPort,
  withFreePort,
  type AllocatedPort,
  type PortTarget,
} from '../ozmap-model/port-allocation.js';
import { validatePoint, type GeoPoint } from './geo-input.js';
import type { PortPolicy } from '../viability/index.js';
import type { ViabilityOverrides } from './viability-settings.js';
import type { Property } from '../generated/sqlite/client.js';

export type ReservationTarget =
  | {
      kind: 'nearest';
      radiusMeters?: number;
      tags?: string[];
      /** The caller's viability settings (profile, chatbot): mode, drop cap, ports... */
      settings?: ReadonlyArray<ViabilityOverrides | undefined>;
    }
  | { kind: 'box'; boxId: string }
  | { kind: 'port'; splitterId: string; port: number };

export interface ReservationRequest {
  /** The client code (ERP contract id, or an id the channel derives): also the idempotency key. */
  clientCode: string;
  client: {
    name?: string;
    document?: string;
    phone?: string;
    email?: string;
    observation?: string;
  };
  /** The customer's point: where the property is placed, and where "nearest" searches from. */
  point?: GeoPoint;
  address?: string;
  target: ReservationTarget;
  /** Who reserved: an integration (conecteai, ispbox, fivehub, generic) or a channel (chatbot:telegram). */
  reservedBy: string;
  /** Days until an unconfirmed reservation is released; null keeps it until someone acts. */
  expiresInDays: number | null;
  /** Caller context kept with the reservation (chat id, the customer's answers). */
  meta?: Record<string, unknown>;
  /** Ports besides the free ones this caller may take (its settings' port policies). */
  ports?: PortPolicy;
}

export interface Reservation {
  created: boolean;
  /** Made by this call: the property as written, so an answer needs no read-back. */
  written?: { property: Property; splitterImplanted: boolean };
  clientId: string;
  clientCode: string;
  propertyId: string;
  boxId: string;
  boxName: string | null;
  splitterId: string;
  splitterName: string | null;
  port: number;
  reservedBy: string | null;
  expiresAt: Date | null;
  implanted: boolean;
}

/** Viable boxes for a point, nearest first (the viability service answers it from its index). */
export interface ViableBoxFinder {
  viableBoxIds(
    point: GeoPoint,
    radiusMeters: number | undefined,
    tags: string[] | undefined,
    settings?: ReadonlyArray<ViabilityOverrides | undefined>,
  ): string[];
}

/** How the reservation tells the viability index a port was taken (O(1), no reload). */
export interface PortChanges extends NetworkChanges {
  portsTaken(boxId: string, count: number): Promise<void>;
}

export interface ReservationDeps {
  db: Db;
  network: PortChanges;
  finder: ViableBoxFinder;
  now: () => Date;
  /** The sales side: records each new reservation in its transaction, told after each change. */
  events?: SalesChangePort;
}

const DAY_MS = 86_400_000;

/** When a reservation made at `now` lapses; null days = it never does. */
export function reservationExpiry(now: Date, days: number | null): Date | null {
  return days === null ? null : new Date(now.getTime() + days * DAY_MS);
}

/** Another request with the same client code committed first; its reservation is the answer. */
class CodeTakenMeanwhile extends Error {}

export class ReservationService {
  constructor(private readonly deps: ReservationDeps) {}

  /**
   * Reserves a port: a non-implanted client and its property at the customer's point, connected to
   * the first free port, in one transaction. Asking again with the same client code returns the
   * same reservation.
   */
  async reserve(req: ReservationRequest): Promise<Reservation> {
    const code = req.clientCode.trim();
    if (!code) throw new ValidationError('client code is required', 'code');
    if (req.point) validatePoint(req.point);
    if (req.expiresInDays !== null && !(req.expiresInDays > 0)) {
      throw new ValidationError('expiry must be a positive number of days', 'expiresInDays');
    }
    try {
      return await this.reserveNew(req, code);
    } catch (err) {
      // The code may already hold a reservation (a replay): that is the answer, even when the box
      // has filled up since. Looked up only on failure, to keep the first-time path short.
      if (
        err instanceof CodeTakenMeanwhile ||
        err instanceof NoFreePortError ||
        err instanceof ConflictError
      ) {
        const twin = await this.findIfExists(code);
        if (twin) return twin;
      }
      if (err instanceof CodeTakenMeanwhile)
        throw new ConflictError(`client ${code} already exists`, 'code');
      throw err;
    }
  }

  private async reserveNew(req: ReservationRequest, code: string): Promise<Reservation> {
    const targets = this.portTargets(req);
    let lastError: unknown;
    for (const target of targets) {
      try {
        const { reservation, via } =
          (target.kind === 'box' ? await this.reserveAtBox(target, req, code) : undefined) ??
          (await withFreePort(this.deps.db, target, async (tx, slot) => ({
            reservation: await this.write(tx, slot, req, code),
            via: slot.via,
          })));
        // A blocked or vacant-held port changes more than the free count: reload the box.
        if (via === 'free') await this.deps.network.portsTaken(reservation.boxId, 1);
        else await this.deps.network.boxesChanged([reservation.boxId]);
        this.deps.events?.changed();
        return reservation;
      } catch (err) {
        // The nearest box may have filled up since the index answered: try the next one.
        if (target.kind === 'box' && targets.length > 1 && err instanceof NoFreePortError) {
          lastError = err;
          continue;
        }
        throw err;
      }
    }
    throw lastError instanceof Error
      ? lastError
      : new NoFreePortError('no viable box with a free port near this point');
  }

  private async findIfExists(code: string): Promise<Reservation | undefined> {
    const known = await this.deps.db.ftthClient.findUnique({
      where: { code },
      select: { id: true },
    });
    return known ? this.find(code) : undefined;
  }

  /** The reservation (or connected client) with this code, or undefined. */
  async find(clientCode: string): Promise<Reservation | undefined> {
    const client = await this.deps.db.ftthClient.findUnique({
      where: { code: clientCode },
      include: {
        property: {
          include: { box: { select: { name: true } }, splitter: { select: { name: true } } },
        },
      },
    });
    if (!client) return undefined;
    const p = client.property;
    if (!p?.splitterId || p.port === null || !p.boxId) {
      throw new ConflictError(`client ${clientCode} already exists and holds no port`, 'code');
    }
    return {
      created: false,
      clientId: client.id,
      clientCode: client.code,
      propertyId: p.id,
      boxId: p.boxId,
      boxName: p.box?.name ?? null,
      splitterId: p.splitterId,
      splitterName: p.splitter?.name ?? null,
      port: p.port,
      reservedBy: client.reservedBy,
      expiresAt: client.implanted ? null : client.reservationExpiresAt,
      implanted: client.implanted,
    };
  }

  private portTargets(req: ReservationRequest): PortTarget[] {
    const t = req.target;
    const vacatedNote = `Porta cedida ao cliente ${req.clientCode.trim()} em ${dateBr(this.deps.now())}.`;
    const box = (boxId: string): PortTarget => ({
      kind: 'box',
      boxId,
      ...(req.ports ? { ports: req.ports, vacatedNote } : {}),
    });
    if (t.kind === 'box') return [box(t.boxId)];
    if (t.kind === 'port') return [{ kind: 'port', splitterId: t.splitterId, port: t.port }];
    if (!req.point)
      throw new ValidationError('a point (lat, lng) is required to find the nearest box', 'lat');
    const ids = this.deps.finder.viableBoxIds(req.point, t.radiusMeters, t.tags, t.settings);
    if (ids.length === 0)
      throw new NoFreePortError('no viable box with a free port near this point');
    return ids.map(box);
  }

  /** The rows of a new reservation at `slot`, and its answer. */
  private rowsOf(slot: AllocatedPort, req: ReservationRequest, code: string) {
    const now = this.deps.now();
    const expiresAt = reservationExpiry(now, req.expiresInDays);
    const clientId = newId(now.getTime());
    const propertyId = newId(now.getTime());
    const name = req.client.name?.trim() || null;
    const client = {
      id: clientId,
      code,
      name,
      document: req.client.document ?? null,
      phone: req.client.phone ?? null,
      email: req.client.email ?? null,
      observation: req.client.observation ?? null,
      implanted: false,
      reservedBy: req.reservedBy,
      reservationExpiresAt: expiresAt,
      reservationMetaJson: req.meta ? JSON.stringify(req.meta) : null,
      // the service's clock, not the database's: the sales lists filter and show this date
      createdAt: now,
    };
    const property = {
      id: propertyId,
      createdAt: now,
      projectId: slot.projectId,
      clientId,
      boxId: slot.boxId,
      splitterId: slot.splitterId,
      port: slot.port,
      lat: req.point?.lat ?? null,
      lng: req.point?.lng ?? null,
      address: req.address ?? null,
      historyJson: JSON.stringify(
        clientHistoryAfter([], { entering: { id: clientId, code }, when: now }),
      ),
    };
    const sales = this.deps.events?.reservedRows?.({
      clientId,
      code,
      name,
      document: client.document,
      phone: client.phone,
      email: client.email,
      reservedBy: req.reservedBy,
      implanted: false,
      expiresAt: expiresAt?.toISOString() ?? null,
      address: property.address,
      lat: property.lat,
      lng: property.lng,
      box: { id: slot.boxId, name: slot.boxName },
      splitter: { id: slot.splitterId, name: slot.splitterName },
      port: slot.port,
      ...chatOfMeta(req.meta),
      tags: [],
    });
    const answer = (written: Property): Reservation => ({
      created: true,
      written: { property: written, splitterImplanted: slot.splitterImplanted },
      clientId,
      clientCode: code,
      propertyId,
      boxId: slot.boxId,
      boxName: slot.boxName,
      splitterId: slot.splitterId,
      splitterName: slot.splitterName,
      port: slot.port,
      reservedBy: req.reservedBy,
      expiresAt,
      implanted: false,
    });
    return { client, property, sales, answer };
  }

  private async write(
    tx: Tx,
    slot: AllocatedPort,
    req: ReservationRequest,
    code: string,
  ): Promise<Reservation> {
    const rows = this.rowsOf(slot, req, code);
    await tx.ftthClient.create({ data: rows.client }).catch((err: unknown) => {
      // A concurrent request with the same code won: its reservation is the answer.
      throw isUniqueViolation(err) ? new CodeTakenMeanwhile() : err;
    });
    const property = await tx.property.create({ data: rows.property });
    if (rows.sales) {
      await tx.salesReservationWatch.create({ data: rows.sales.watch });
      await tx.salesEvent.createMany({ data: rows.sales.events });
    }
    return rows.answer(property);
  }

  /** `write`'s rows as plain inserts (parents first), and the property as written. */
  private insertsOf(slot: AllocatedPort, req: ReservationRequest, code: string) {
    const rows = this.rowsOf(slot, req, code);
    const stamp = rows.client.createdAt;
    const property: Property = {
      externalId: null,
      poleId: null,
      observation: null,
      potencyRead: null,
      ...rows.property,
      updatedAt: stamp,
    };
    const inserts = [
      { table: 'FtthClient', row: { ...rows.client, updatedAt: stamp } },
      { table: 'Property', row: { ...property } },
      ...(rows.sales
        ? [
            { table: 'SalesReservationWatch', row: rows.sales.watch },
            ...rows.sales.events.map((row) => ({ table: 'SalesEvent', row })),
          ]
        : []),
    ];
    return { inserts, answer: () => rows.answer(property) };
  }

  /** `write` inside a synchronous SQLite transaction (writeSync): the same rows. */
  private writeSync(
    sql: SyncSql,
    slot: AllocatedPort,
    req: ReservationRequest,
    code: string,
  ): Reservation {
    const { inserts, answer } = this.insertsOf(slot, req, code);
    try {
      for (const { table, row } of inserts) sql.insert(table, row);
    } catch (err) {
      if (sqliteUniqueViolation(err)?.includes('FtthClient.code')) throw new CodeTakenMeanwhile();
      throw err;
    }
    return answer();
  }

  /** `write` inside a plain PostgreSQL transaction (pgWrite): the same rows, in one statement. */
  private async writePg(
    sql: PgSql,
    slot: AllocatedPort,
    req: ReservationRequest,
    code: string,
  ): Promise<Reservation> {
    const { inserts, answer } = this.insertsOf(slot, req, code);
    try {
      await sql.insertAll(inserts);
    } catch (err) {
      if (pgUniqueViolation(err) === 'FtthClient_code_key') throw new CodeTakenMeanwhile();
      throw err;
    }
    return answer();
  }

  /** Reserves at a box in one transaction, by the fastest writer the database has. */
  private async reserveAtBox(
    target: Extract<PortTarget, { kind: 'box' }>,
    req: ReservationRequest,
    code: string,
  ): Promise<{ reservation: Reservation; via: AllocatedPort['via'] } | undefined> {
    const session = sqliteSession(this.deps.db);
    if (session) {
      return writeSync(session, (sql) => {
        const slot = chooseBoxPortSync(sql, target);
        return { reservation: this.writeSync(sql, slot, req, code), via: slot.via };
      });
    }
    const pool = pgPool(this.deps.db);
    if (!pool) return undefined;
    return retryOnTakenPort(() =>
      pgWrite(pool, async (sql) => {
        const slot = await chooseBoxPortPg(sql, target);
        return { reservation: await this.writePg(sql, slot, req, code), via: slot.via };
      }),
    );
  }

  /**
   * The active reservation (not implanted, not expired) a CPF/CNPJ holds, newest first; the
   * chatbot shows it instead of making a second one.
   */
  async findActiveByDocument(document: string): Promise<Reservation | undefined> {
    const now = this.deps.now();
    const client = await this.deps.db.ftthClient.findFirst({
      where: {
        document,
        implanted: false,
        property: { is: { port: { not: null } } },
        OR: [{ reservationExpiresAt: null }, { reservationExpiresAt: { gt: now } }],
      },
      orderBy: { createdAt: 'desc' },
      select: { code: true },
    });
    return client ? this.find(client.code) : undefined;
  }

  /**
   * Moves a reservation to a free port near a new point, in one transaction: the property gets
   * the new point, address and port, so the old port is free the moment the new one is taken and
   * the unique (splitter, port) constraint still rules out double-booking. The expiry is kept.
   */
  async move(
    clientCode: string,
    req: {
      point: GeoPoint;
      address?: string;
      radiusMeters?: number;
      meta?: Record<string, unknown>;
      /** The caller's viability settings and the ports they let it take, as for reserve(). */
      settings?: ReadonlyArray<ViabilityOverrides | undefined>;
      ports?: PortPolicy;
    },
  ): Promise<Reservation> {
    validatePoint(req.point);
    const current = await this.find(clientCode);
    if (!current) throw new NotFoundError('reservation', clientCode);
    if (current.implanted)
      throw new ConflictError(`client ${clientCode} is already installed`, 'code');
    const ids = this.deps.finder.viableBoxIds(req.point, req.radiusMeters, undefined, req.settings);
    if (ids.length === 0)
      throw new NoFreePortError('no viable box with a free port near this point');
    const vacatedNote = `Porta cedida ao cliente ${clientCode} em ${dateBr(this.deps.now())}.`;
    let lastError: unknown;
    for (const boxId of ids) {
      try {
        const target: PortTarget = {
          kind: 'box',
          boxId,
          ...(req.ports ? { ports: req.ports, vacatedNote } : {}),
        };
        const moved = await withFreePort(this.deps.db, target, async (tx, slot) => {
          await tx.property.update({
            where: { id: current.propertyId },
            data: {
              projectId: slot.projectId,
              boxId: slot.boxId,
              splitterId: slot.splitterId,
              port: slot.port,
              lat: req.point.lat,
              lng: req.point.lng,
              ...(req.address !== undefined ? { address: req.address } : {}),
            },
          });
          if (req.meta) {
            await tx.ftthClient.update({
              where: { id: current.clientId },
              data: { reservationMetaJson: JSON.stringify(req.meta) },
            });
          }
          return slot;
        });
        await this.deps.network.boxesChanged(new Set([current.boxId, moved.boxId]));
        return {
          ...current,
          boxId: moved.boxId,
          boxName: moved.boxName,
          splitterId: moved.splitterId,
          splitterName: moved.splitterName,
          port: moved.port,
        };
      } catch (err) {
        if (err instanceof NoFreePortError) {
          lastError = err;
          continue;
        }
        throw err;
      }
    }
    throw lastError instanceof Error ? lastError : new NoFreePortError();
  }
}

// Built once: toLocaleDateString builds a formatter per call (about 0.5 ms, per reservation).
const DATE_BR = new Intl.DateTimeFormat('pt-BR', { timeZone: 'America/Sao_Paulo' });

/** dd/mm/aaaa in São Paulo time, as notes for Brazilian sales teams read. */
export function dateBr(at: Date): string {
  return DATE_BR.format(at);
}
