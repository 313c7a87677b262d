import { NotFoundError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Db } from '../ozmap-model/db/client.js';
import { audit, listAudit, type Actor, type AuditEntry } from './audit.js';
import { searchDigits, textContains, type ListQuery } from './list-query.js';
import type { LiveBus } from './live.js';
import { notesOf, type Note } from './notes.js';
import { prospectSnapshot, type ProspectSnapshot } from './snapshots.js';
import { StaleError } from './stale.js';
import type { Transcript, TranscriptLine } from './transcript.js';

export const PROSPECT_STATUSES = ['new', 'contacted', 'won', 'lost'] as const;
export const PROSPECT_SORTS = ['createdAt', 'name'] as const;
export type ProspectStatus = (typeof PROSPECT_STATUSES)[number];

export interface ProspectRow extends ProspectSnapshot {
  id: string;
  status: ProspectStatus;
  statusUpdatedAt: string | null;
  statusBy: string | null;
  /** Send it back with a status change; a changed status answers 409. */
  version: string;
}

export interface ProspectDetail {
  prospect: ProspectRow;
  transcript: TranscriptLine[];
  notes: Note[];
  history: AuditEntry[];
}

const include = { tags: { select: { name: true } } } as const;
type Row = Awaited<ReturnType<Db['prospect']['findMany']>>[number] & {
  tags: Array<{ name: string }>;
};

export class SalesProspects {
  constructor(
    private readonly o: {
      db: Db;
      now: () => Date;
      logger: Logger;
      live: LiveBus;
      transcript: Transcript;
    },
  ) {}

  private contains(value: string) {
    return textContains(this.o.db, value);
  }

  private async statuses(ids: string[]) {
    const rows = await this.o.db.salesProspectStatus.findMany({
      where: { prospectId: { in: ids } },
    });
    return new Map(rows.map((r) => [r.prospectId, r]));
  }

  private async rows(prospects: Row[]): Promise<ProspectRow[]> {
    const statuses = await this.statuses(prospects.map((p) => p.id));
    return prospects.map((p) => {
      const s = statuses.get(p.id);
      return {
        ...prospectSnapshot(p),
        id: p.id,
        status: (s?.status ?? 'new') as ProspectStatus,
        statusUpdatedAt: s ? s.updatedAt.toISOString() : null,
        statusBy: s?.updatedBy ?? null,
        version: s ? s.updatedAt.toISOString() : 'new',
      };
    });
  }

  private async where(q: ListQuery) {
    const digits = q.q ? searchDigits(q.q) : undefined;
    let statusIds: { id: { in: string[] } } | { id: { notIn: string[] } } | undefined;
    if (q.status) {
      // Status lives in its own table; "new" includes prospects not followed up yet.
      const others = await this.o.db.salesProspectStatus.findMany({
        where: q.status === 'new' ? { status: { not: 'new' } } : { status: q.status },
        select: { prospectId: true },
        take: 100_000,
      });
      const ids = others.map((o) => o.prospectId);
      statusIds = q.status === 'new' ? { id: { notIn: ids } } : { id: { in: ids } };
    }
    return {
      AND: [
        q.by ? { source: q.by } : {},
        q.tag ? { tags: { some: { name: q.tag } } } : {},
        q.from || q.until
          ? {
              createdAt: {
                ...(q.from ? { gte: q.from } : {}),
                ...(q.until ? { lt: q.until } : {}),
              },
            }
          : {},
        statusIds ?? {},
        q.q
          ? {
              OR: [
                { name: this.contains(q.q) },
                { code: this.contains(q.q) },
                { email: this.contains(q.q) },
                { address: this.contains(q.q) },
                ...(digits ? [{ phone: { contains: digits } }] : []),
              ],
            }
          : {},
      ],
    };
  }

  async list(q: ListQuery) {
    const where = await this.where(q);
    const dir = q.desc ? ('desc' as const) : ('asc' as const);
    const [total, rows] = await Promise.all([
      this.o.db.prospect.count({ where }),
      this.o.db.prospect.findMany({
        where,
        include,
        orderBy: [{ [q.sort === 'name' ? 'name' : 'createdAt']: dir }, { id: dir }],
        skip: (q.page - 1) * q.pageSize,
        take: q.pageSize,
      }),
    ]);
    return { total, page: q.page, pageSize: q.pageSize, rows: await this.rows(rows) };
  }

  async *export(q: ListQuery): AsyncGenerator<ProspectRow[]> {
    for (let page = 1; page <= 500; page++) {
      const { rows } = await this.list({ ...q, page, pageSize: 200 });
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < 200) return;
    }
  }

  async detail(id: string): Promise<ProspectDetail> {
    const p = await this.o.db.prospect.findUnique({ where: { id }, include });
    if (!p) throw new NotFoundError('prospect', id);
    const [row] = await this.rows([p]);
    const [transcript, notes, history] = await Promise.all([
      row!.channel && row!.chatId
        ? this.o.transcript.list(row!.channel, row!.chatId)
        : Promise.resolve([]),
      notesOf(this.o.db, 'prospect', id),
      listAudit(this.o.db, { subjectType: 'prospect', subjectId: id, limit: 100 }),
    ]);
    return { prospect: row!, transcript, notes, history };
  }

  /** Marks the follow-up: contacted, won, lost (or new again). */
  async setStatus(
    id: string,
    version: unknown,
    status: unknown,
    actor: Actor,
  ): Promise<ProspectDetail> {
    if (typeof status !== 'string' || !(PROSPECT_STATUSES as readonly string[]).includes(status))
      throw new ValidationError(`status: one of ${PROSPECT_STATUSES.join(', ')}`, 'status');
    if (typeof version !== 'string' || !version)
      throw new ValidationError('version: send the prospect version you saw', 'version');
    const current = await this.detail(id);
    const at = this.o.now();
    const ok = await this.o.db.$transaction(async (tx) => {
      let count: number;
      if (version === 'new') {
        const existing = await tx.salesProspectStatus.findUnique({ where: { prospectId: id } });
        if (existing && existing.status !== 'new') count = 0;
        else {
          await tx.salesProspectStatus.upsert({
            where: { prospectId: id },
            create: { prospectId: id, status, updatedAt: at, updatedBy: actor.name },
            update: { status, updatedAt: at, updatedBy: actor.name },
          });
          count = 1;
        }
      } else {
        const seen = new Date(version);
        if (Number.isNaN(seen.getTime()))
          throw new ValidationError('version: send the prospect version you saw', 'version');
        ({ count } = await tx.salesProspectStatus.updateMany({
          where: { prospectId: id, updatedAt: seen },
          data: { status, updatedAt: at, updatedBy: actor.name },
        }));
      }
      if (count === 0) return false;
      await audit(
        tx,
        actor,
        {
          action: 'prospect.status',
          subjectType: 'prospect',
          subjectId: id,
          detail: { from: current.prospect.status, to: status },
        },
        at,
      );
      return true;
    });
    if (!ok) {
      const fresh = await this.detail(id);
      throw new StaleError(
        `Este prospect foi atualizado${fresh.prospect.statusBy ? ` por ${fresh.prospect.statusBy}` : ''} enquanto você o via; confira antes de mudar de novo.`,
        fresh,
      );
    }
    await this.o.live
      .publish({
        type: 'prospect.updated',
        at: at.toISOString(),
        subjectType: 'prospect',
        subjectId: id,
      })
      .catch((err: unknown) => this.o.logger.warn({ err }, 'live publish failed'));
    return this.detail(id);
  }
}
