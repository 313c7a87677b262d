import type { NetworkChanges } from '../context.js';
import { NoFreePortError, NotFoundError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Db } from '../ozmap-model/db/client.js';
import { withFreePort, type PortTarget } from '../ozmap-model/port-allocation.js';
import { audit, listAudit, type Actor, type AuditEntry } from './audit.js';
import type { ListQuery } from './list-query.js';
import { searchDigits, textContains } from './list-query.js';
import type { LiveBus } from './live.js';
import { notesOf, type Note } from './notes.js';
import { CLIENT_SNAPSHOT_INCLUDE, clientSnapshot, type ReservationSnapshot } from './snapshots.js';
import { StaleError } from './stale.js';
import type { Transcript, TranscriptLine } from './transcript.js';

export const RESERVATION_STATUSES = ['active', 'expiring', 'confirmed', 'released'] as const;
export const RESERVATION_SORTS = ['createdAt', 'expiresAt', 'name', 'code'] as const;

export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

export interface ReservationRow extends ReservationSnapshot {
  id: string;
  status: ReservationStatus;
  createdAt: string;
  releasedAt: string | null;
  /** The client's updatedAt: actions send it back; a changed reservation answers 409. */
  version: string | null;
}

export interface ReservationDetail {
  reservation: ReservationRow;
  answers: Record<string, unknown> | null;
  transcript: TranscriptLine[];
  notes: Note[];
  history: AuditEntry[];
}

export interface SalesReservationsOptions {
  db: Db;
  now: () => Date;
  logger: Logger;
  network: NetworkChanges;
  /** Compares the inventory with what sales knew, recording events (awaited: the answer is fresh). */
  watch: { sweep(): Promise<number> };
  live: LiveBus;
  transcript: Transcript;
  expiringWithinMs: number;
}

const MAX_EXPORT = 100_000;
const EXPORT_PAGE = 1000;
const DAY_MS = 86_400_000;

type ClientRow = Awaited<ReturnType<typeof findClients>>[number];

function findClients(db: Db, args: Parameters<Db['ftthClient']['findMany']>[0]) {
  return db.ftthClient.findMany({ ...args, include: CLIENT_SNAPSHOT_INCLUDE });
}

/** The reservations the sales team works: search, filters, detail, and the actions on them. */
export class SalesReservations {
  constructor(private readonly o: SalesReservationsOptions) {}

  private statusOf(implanted: boolean, expiresAt: Date | null): ReservationStatus {
    if (implanted) return 'confirmed';
    const soon = this.o.now().getTime() + this.o.expiringWithinMs;
    return expiresAt && expiresAt.getTime() <= soon ? 'expiring' : 'active';
  }

  private row(c: ClientRow): ReservationRow {
    return {
      ...clientSnapshot(c),
      id: c.id,
      status: this.statusOf(c.implanted, c.reservationExpiresAt),
      createdAt: c.createdAt.toISOString(),
      releasedAt: null,
      version: c.updatedAt.toISOString(),
    };
  }

  private contains(value: string) {
    return textContains(this.o.db, value);
  }

  private where(q: ListQuery) {
    const now = this.o.now();
    const soon = new Date(now.getTime() + this.o.expiringWithinMs);
    const status =
      q.status === 'confirmed'
        ? { implanted: true }
        : q.status === 'expiring'
          ? { implanted: false, reservationExpiresAt: { lte: soon } }
          : q.status === 'active'
            ? {
                implanted: false,
                OR: [{ reservationExpiresAt: null }, { reservationExpiresAt: { gt: soon } }],
              }
            : {};
    const search = q.q ? this.searchWhere(q.q) : undefined;
    return {
      AND: [
        { reservedBy: q.by ? q.by : { not: null } },
        status,
        q.tag ? { tags: { some: { name: q.tag } } } : {},
        q.from || q.until
          ? {
              createdAt: {
                ...(q.from ? { gte: q.from } : {}),
                ...(q.until ? { lt: q.until } : {}),
              },
            }
          : {},
        search ? { OR: search } : {},
      ],
    };
  }

  private searchWhere(text: string) {
    const digits = searchDigits(text);
    return [
      { name: this.contains(text) },
      { code: this.contains(text) },
      { email: this.contains(text) },
      { property: { is: { address: this.contains(text) } } },
      ...(digits ? [{ phone: { contains: digits } }, { document: { contains: digits } }] : []),
    ];
  }

  private orderBy(q: ListQuery) {
    const dir = q.desc ? ('desc' as const) : ('asc' as const);
    const column =
      q.sort === 'expiresAt'
        ? 'reservationExpiresAt'
        : q.sort === 'name'
          ? 'name'
          : q.sort === 'code'
            ? 'code'
            : 'createdAt';
    return [{ [column]: dir }, { id: dir }];
  }

  async list(
    q: ListQuery,
  ): Promise<{ total: number; page: number; pageSize: number; rows: ReservationRow[] }> {
    if (q.status === 'released') return this.listReleased(q);
    const where = this.where(q);
    const [total, rows] = await Promise.all([
      this.o.db.ftthClient.count({ where }),
      findClients(this.o.db, {
        where,
        orderBy: this.orderBy(q),
        skip: (q.page - 1) * q.pageSize,
        take: q.pageSize,
      }),
    ]);
    return { total, page: q.page, pageSize: q.pageSize, rows: rows.map((r) => this.row(r)) };
  }

  private releasedWhere(q: ListQuery) {
    const digits = q.q ? searchDigits(q.q) : undefined;
    return {
      releasedAt: { not: null },
      ...(q.by ? { reservedBy: q.by } : {}),
      ...(q.from || q.until
        ? {
            releasedAt: {
              not: null,
              ...(q.from ? { gte: q.from } : {}),
              ...(q.until ? { lt: q.until } : {}),
            },
          }
        : {}),
      ...(q.q ? { snapshotJson: this.contains(digits ?? q.q) } : {}),
      ...(q.tag ? { snapshotJson: this.contains(JSON.stringify(q.tag)) } : {}),
    };
  }

  private async listReleased(q: ListQuery) {
    const where = this.releasedWhere(q);
    const dir = q.desc ? ('desc' as const) : ('asc' as const);
    const [total, rows] = await Promise.all([
      this.o.db.salesReservationWatch.count({ where }),
      this.o.db.salesReservationWatch.findMany({
        where,
        orderBy: [{ releasedAt: dir }, { clientId: dir }],
        skip: (q.page - 1) * q.pageSize,
        take: q.pageSize,
      }),
    ]);
    return {
      total,
      page: q.page,
      pageSize: q.pageSize,
      rows: rows.map((w) => releasedRow(w)),
    };
  }

  /**
   * Every row the filter shows (up to 100 000), in the list's order, for the CSV export: pages of
   * 1000 walked by cursor (no count, no growing offset).
   */
  async *export(q: ListQuery): AsyncGenerator<ReservationRow[]> {
    if (q.status === 'released') {
      for (let page = 1; page <= MAX_EXPORT / 200; page++) {
        const { rows } = await this.listReleased({ ...q, page, pageSize: 200 });
        if (rows.length === 0) return;
        yield rows;
        if (rows.length < 200) return;
      }
      return;
    }
    const where = this.where(q);
    let cursor: string | undefined;
    for (let sent = 0; sent < MAX_EXPORT;) {
      const rows = await findClients(this.o.db, {
        where,
        orderBy: this.orderBy(q),
        take: EXPORT_PAGE,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      if (rows.length === 0) return;
      yield rows.map((r) => this.row(r));
      sent += rows.length;
      cursor = rows[rows.length - 1]!.id;
      if (rows.length < EXPORT_PAGE) return;
    }
  }

  /** The reservation, answers, transcript, notes and history. */
  async detail(id: string): Promise<ReservationDetail> {
    const client = (await findClients(this.o.db, { where: { id } }))[0];
    let row: ReservationRow;
    let meta: Record<string, unknown> | null = null;
    if (client) {
      if (!client.reservedBy) throw new NotFoundError('reserva', id);
      row = this.row(client);
      meta = parseMeta(client.reservationMetaJson);
    } else {
      const watched = await this.o.db.salesReservationWatch.findUnique({ where: { clientId: id } });
      if (!watched) throw new NotFoundError('reserva', id);
      row = releasedRow(watched);
    }
    const chat =
      row.channel && row.chatId ? { channel: row.channel, chatId: row.chatId } : undefined;
    const [transcript, notes, history] = await Promise.all([
      chat ? this.o.transcript.list(chat.channel, chat.chatId) : Promise.resolve([]),
      notesOf(this.o.db, 'reservation', id),
      listAudit(this.o.db, { subjectType: 'reservation', subjectId: id, limit: 100 }),
    ]);
    const answers =
      meta && typeof meta.answers === 'object' ? (meta.answers as Record<string, unknown>) : null;
    return { reservation: row, answers, transcript, notes, history };
  }

  /** 409 with the reservation as it is now, saying what happened to it. */
  private async stale(id: string, wanted: string): Promise<StaleError> {
    const fresh = await this.detail(id).catch(() => undefined);
    const r = fresh?.reservation;
    let message: string;
    if (!r) message = 'Esta reserva não existe mais.';
    else if (r.status === 'released') message = 'Esta reserva já foi liberada: a porta está livre.';
    else if (r.status === 'confirmed') {
      const by = fresh.history.find((h) => h.action === 'reservation.confirm')?.actor.name;
      message = `Esta reserva já foi confirmada${by ? ` por ${by}` : ''}.`;
    } else
      message = `A reserva mudou enquanto você a via; confira os dados atualizados e ${wanted} de novo.`;
    return new StaleError(message, fresh ?? null);
  }

  private version(value: unknown): Date {
    const d = typeof value === 'string' ? new Date(value) : undefined;
    if (!d || Number.isNaN(d.getTime()))
      throw new ValidationError('version: send the reservation version you saw', 'version');
    return d;
  }

  /** Confirms (implants) the client: the port is theirs for good, and the expiry ends. */
  async confirm(id: string, version: unknown, actor: Actor): Promise<ReservationDetail> {
    const seen = this.version(version);
    const at = this.o.now();
    const ok = await this.o.db.$transaction(async (tx) => {
      const { count } = await tx.ftthClient.updateMany({
        where: { id, implanted: false, updatedAt: seen, reservedBy: { not: null } },
        data: { implanted: true, reservationExpiresAt: null, updatedAt: at },
      });
      if (count === 0) return false;
      await audit(
        tx,
        actor,
        { action: 'reservation.confirm', subjectType: 'reservation', subjectId: id },
        at,
      );
      return true;
    });
    if (!ok) throw await this.stale(id, 'confirme');
    await this.o.watch.sweep();
    await this.publish('reservation.updated', id, at);
    return this.detail(id);
  }

  /** Releases the reservation: the client and its property are removed and the port is free. */
  async release(id: string, version: unknown, actor: Actor): Promise<ReservationDetail> {
    const seen = this.version(version);
    const at = this.o.now();
    const property = await this.o.db.property.findUnique({
      where: { clientId: id },
      select: { id: true, boxId: true, port: true, box: { select: { name: true } } },
    });
    const ok = await this.o.db.$transaction(async (tx) => {
      const { count } = await tx.ftthClient.deleteMany({
        where: { id, implanted: false, updatedAt: seen, reservedBy: { not: null } },
      });
      if (count === 0) return false;
      if (property) await tx.property.deleteMany({ where: { id: property.id } });
      await audit(
        tx,
        actor,
        {
          action: 'reservation.release',
          subjectType: 'reservation',
          subjectId: id,
          detail: {
            box: property?.box?.name ?? property?.boxId ?? null,
            port: property?.port ?? null,
          },
        },
        at,
      );
      return true;
    });
    if (!ok) throw await this.stale(id, 'libere');
    if (property?.boxId) await this.o.network.boxesChanged([property.boxId]);
    // The watch keeps the released reservation's snapshot and records the event.
    await this.o.watch.sweep();
    await this.publish('reservation.updated', id, at);
    return this.detail(id);
  }

  /** Pushes the expiry `days` days past the later of now and the current expiry. */
  async extend(
    id: string,
    version: unknown,
    days: unknown,
    actor: Actor,
  ): Promise<ReservationDetail> {
    const seen = this.version(version);
    const n = typeof days === 'number' ? days : Number(days);
    if (!Number.isInteger(n) || n < 1 || n > 90)
      throw new ValidationError('days: a whole number of days from 1 to 90', 'days');
    const at = this.o.now();
    const client = await this.o.db.ftthClient.findUnique({
      where: { id },
      select: { reservationExpiresAt: true },
    });
    const base = Math.max(at.getTime(), client?.reservationExpiresAt?.getTime() ?? at.getTime());
    const expiresAt = new Date(base + n * DAY_MS);
    const ok = await this.o.db.$transaction(async (tx) => {
      const { count } = await tx.ftthClient.updateMany({
        where: { id, implanted: false, updatedAt: seen, reservedBy: { not: null } },
        data: { reservationExpiresAt: expiresAt, updatedAt: at },
      });
      if (count === 0) return false;
      await audit(
        tx,
        actor,
        {
          action: 'reservation.extend',
          subjectType: 'reservation',
          subjectId: id,
          detail: {
            days: n,
            from: client?.reservationExpiresAt?.toISOString() ?? null,
            to: expiresAt.toISOString(),
          },
        },
        at,
      );
      return true;
    });
    if (!ok) throw await this.stale(id, 'prorrogue');
    await this.o.watch.sweep();
    await this.publish('reservation.updated', id, at);
    return this.detail(id);
  }

  /** Moves the reservation to another box (its first free port) or to one exact port. */
  async move(
    id: string,
    version: unknown,
    to: { boxId?: unknown; splitterId?: unknown; port?: unknown },
    actor: Actor,
  ): Promise<ReservationDetail> {
    const seen = this.version(version);
    let target: PortTarget;
    if (typeof to.splitterId === 'string' && to.splitterId) {
      const port = Number(to.port);
      if (!Number.isInteger(port) || port < 1)
        throw new ValidationError('port: a port number', 'port');
      target = { kind: 'port', splitterId: to.splitterId, port };
    } else if (typeof to.boxId === 'string' && to.boxId) {
      target = { kind: 'box', boxId: to.boxId };
    } else {
      throw new ValidationError(
        'boxId: choose the box (or splitterId and port) to move to',
        'boxId',
      );
    }
    const before = await this.o.db.property.findUnique({
      where: { clientId: id },
      select: {
        id: true,
        boxId: true,
        splitterId: true,
        port: true,
        box: { select: { name: true } },
      },
    });
    if (!before) throw await this.stale(id, 'mova');
    const at = this.o.now();
    let moved: { boxId: string; boxName: string | null; port: number } | undefined;
    try {
      moved = await withFreePort(this.o.db, target, async (tx, slot) => {
        const { count } = await tx.ftthClient.updateMany({
          where: { id, implanted: false, updatedAt: seen },
          data: { updatedAt: at },
        });
        if (count === 0) return undefined;
        await tx.property.update({
          where: { id: before.id },
          data: {
            boxId: slot.boxId,
            splitterId: slot.splitterId,
            port: slot.port,
            projectId: slot.projectId,
          },
        });
        await audit(
          tx,
          actor,
          {
            action: 'reservation.move',
            subjectType: 'reservation',
            subjectId: id,
            detail: {
              from: { box: before.box?.name ?? before.boxId, port: before.port },
              to: { box: slot.boxName ?? slot.boxId, splitter: slot.splitterName, port: slot.port },
            },
          },
          at,
        );
        return { boxId: slot.boxId, boxName: slot.boxName, port: slot.port };
      });
    } catch (err) {
      if (err instanceof NoFreePortError)
        throw new NoFreePortError(
          'Não há porta livre nesse destino; escolha outra caixa ou porta.',
        );
      throw err;
    }
    if (!moved) throw await this.stale(id, 'mova');
    await this.o.network.boxesChanged([before.boxId, moved.boxId].filter((b): b is string => !!b));
    const detail = await this.detail(id);
    await this.o.db.salesReservationWatch.updateMany({
      where: { clientId: id },
      data: { snapshotJson: JSON.stringify(stripRow(detail.reservation)) },
    });
    await this.publish('reservation.updated', id, at);
    return detail;
  }

  private async publish(type: string, id: string, at: Date): Promise<void> {
    await this.o.live
      .publish({ type, at: at.toISOString(), subjectType: 'reservation', subjectId: id })
      .catch((err: unknown) => this.o.logger.warn({ err }, 'live publish failed'));
  }
}

function parseMeta(json: string | null): Record<string, unknown> | null {
  if (!json) return null;
  try {
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return null;
  }
}

type WatchRow = Awaited<ReturnType<Db['salesReservationWatch']['findFirstOrThrow']>>;

function releasedRow(w: WatchRow): ReservationRow {
  const snap = JSON.parse(w.snapshotJson) as ReservationSnapshot;
  return {
    ...snap,
    id: w.clientId,
    status: w.releasedAt ? 'released' : snap.implanted ? 'confirmed' : 'active',
    createdAt: w.firstSeenAt.toISOString(),
    releasedAt: w.releasedAt?.toISOString() ?? null,
    version: null,
  };
}

function stripRow(r: ReservationRow): ReservationSnapshot {
  const snap: Partial<ReservationRow> = { ...r };
  delete snap.id;
  delete snap.status;
  delete snap.createdAt;
  delete snap.releasedAt;
  delete snap.version;
  return snap as ReservationSnapshot;
}
