// The facts about a reservation or a prospect that events carry and the workspace shows.
import type { Db, Tx } from '../ozmap-model/db/client.js';

export interface ReservationSnapshot {
  clientId: string;
  code: string;
  name: string | null;
  document: string | null;
  phone: string | null;
  email: string | null;
  reservedBy: string | null;
  implanted: boolean;
  expiresAt: string | null;
  address: string | null;
  lat: number | null;
  lng: number | null;
  box: { id: string; name: string | null } | null;
  splitter: { id: string; name: string | null } | null;
  port: number | null;
  /** Where the customer talked to us, for reservations made in chat. */
  channel: string | null;
  chatId: string | null;
  tags: string[];
}

export interface ProspectSnapshot {
  prospectId: string;
  code: string | null;
  name: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  lat: number | null;
  lng: number | null;
  source: string | null;
  channel: string | null;
  chatId: string | null;
  tags: string[];
  createdAt: string;
}

export const CLIENT_SNAPSHOT_INCLUDE = {
  tags: { select: { name: true } },
  property: {
    select: {
      address: true,
      lat: true,
      lng: true,
      port: true,
      box: { select: { id: true, name: true } },
      splitter: { select: { id: true, name: true } },
    },
  },
} as const;

type ClientRow = NonNullable<Awaited<ReturnType<typeof loadClientRow>>>;

function loadClientRow(db: Db | Tx, clientId: string) {
  return db.ftthClient.findUnique({ where: { id: clientId }, include: CLIENT_SNAPSHOT_INCLUDE });
}

/** The chat a reservation or prospect came from, when its meta says so. */
export function chatOf(metaJson: string | null): { channel: string | null; chatId: string | null } {
  if (!metaJson) return chatOfMeta(undefined);
  try {
    return chatOfMeta(JSON.parse(metaJson) as Record<string, unknown>);
  } catch {
    return chatOfMeta(undefined);
  }
}

/** The chat named by a reservation's meta, before it is stored as JSON. */
export function chatOfMeta(meta: Record<string, unknown> | undefined): {
  channel: string | null;
  chatId: string | null;
} {
  return {
    channel: typeof meta?.channel === 'string' ? meta.channel : null,
    chatId: typeof meta?.chatId === 'string' ? meta.chatId : null,
  };
}

export function clientSnapshot(c: ClientRow): ReservationSnapshot {
  const p = c.property;
  return {
    clientId: c.id,
    code: c.code,
    name: c.name,
    document: c.document,
    phone: c.phone,
    email: c.email,
    reservedBy: c.reservedBy,
    implanted: c.implanted,
    expiresAt: c.implanted ? null : (c.reservationExpiresAt?.toISOString() ?? null),
    address: p?.address ?? null,
    lat: p?.lat ?? null,
    lng: p?.lng ?? null,
    box: p?.box ?? null,
    splitter: p?.splitter ?? null,
    port: p?.port ?? null,
    ...chatOf(c.reservationMetaJson),
    tags: c.tags.map((t) => t.name).sort(),
  };
}

/** Snapshots of many reservations in one query (missing ids are skipped). */
export async function loadReservationSnapshots(
  db: Db | Tx,
  clientIds: string[],
): Promise<ReservationSnapshot[]> {
  const rows = await db.ftthClient.findMany({
    where: { id: { in: clientIds } },
    include: CLIENT_SNAPSHOT_INCLUDE,
  });
  return rows.map(clientSnapshot);
}

export async function loadReservationSnapshot(
  db: Db | Tx,
  clientId: string,
): Promise<ReservationSnapshot | undefined> {
  const row = await loadClientRow(db, clientId);
  return row ? clientSnapshot(row) : undefined;
}

export async function loadProspectSnapshot(
  db: Db | Tx,
  prospectId: string,
): Promise<ProspectSnapshot | undefined> {
  const p = await db.prospect.findUnique({
    where: { id: prospectId },
    include: { tags: { select: { name: true } } },
  });
  return p ? prospectSnapshot(p) : undefined;
}

type ProspectRow = NonNullable<Awaited<ReturnType<Db['prospect']['findUnique']>>> & {
  tags: Array<{ name: string }>;
};

export function prospectSnapshot(p: ProspectRow): ProspectSnapshot {
  return {
    prospectId: p.id,
    code: p.code,
    name: p.name,
    phone: p.phone,
    email: p.email,
    address: p.address,
    lat: p.lat,
    lng: p.lng,
    source: p.source,
    ...chatOf(p.metaJson),
    tags: p.tags.map((t) => t.name).sort(),
    createdAt: p.createdAt.toISOString(),
  };
}
