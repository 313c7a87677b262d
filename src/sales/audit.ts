import { newId } from '../ids.js';
import type { Db, Tx } from '../ozmap-model/db/client.js';

/** Who made a change: a signed-in person, an admin API key, or the service itself. */
export type Actor =
  | { type: 'user'; id: string; name: string; role: Role }
  | { type: 'apikey'; id: string; name: string }
  | { type: 'system'; name: string };

export type Role = 'admin' | 'sales';

export interface AuditInput {
  action: string;
  subjectType: string;
  subjectId?: string;
  /** Facts about the change; never CPF, phone, e-mail or passwords. */
  detail?: Record<string, unknown>;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: { type: string; id: string | null; name: string };
  action: string;
  subjectType: string;
  subjectId: string | null;
  detail: Record<string, unknown>;
}

/** Writes an audit entry, inside the caller's transaction when it passes one. */
export async function audit(db: Db | Tx, actor: Actor, entry: AuditInput, at: Date): Promise<void> {
  await db.salesAudit.create({
    data: {
      id: newId(at.getTime()),
      at,
      actorType: actor.type,
      actorId: actor.type === 'system' ? null : actor.id,
      actorName: actor.name,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId ?? null,
      detailJson: JSON.stringify(entry.detail ?? {}),
    },
  });
}

type AuditRow = Awaited<ReturnType<Db['salesAudit']['findFirstOrThrow']>>;

export function auditToJson(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: { type: row.actorType, id: row.actorId, name: row.actorName },
    action: row.action,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    detail: JSON.parse(row.detailJson) as Record<string, unknown>,
  };
}

export interface AuditQuery {
  subjectType?: string;
  subjectId?: string;
  actor?: string;
  before?: Date;
  limit: number;
}

/** Newest first; page with `before` (the `at` of the last entry seen). */
export async function listAudit(db: Db, q: AuditQuery): Promise<AuditEntry[]> {
  const rows = await db.salesAudit.findMany({
    where: {
      ...(q.subjectType ? { subjectType: q.subjectType } : {}),
      ...(q.subjectId ? { subjectId: q.subjectId } : {}),
      ...(q.actor ? { actorName: q.actor } : {}),
      ...(q.before ? { at: { lt: q.before } } : {}),
    },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: q.limit,
  });
  return rows.map(auditToJson);
}

/** How the audit log names an actor in a message ("Ana (admin)"). */
export function actorLabel(actor: Actor): string {
  return actor.type === 'apikey' ? `chave de API ${actor.name}` : actor.name;
}
