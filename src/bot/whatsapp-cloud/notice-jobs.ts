// Notices the bot sends on its own to customers of this channel: a reminder before a chat
// reservation lapses, and "the fibre reached you" once a prospect's point becomes viable. Each is
// sent at most once per reservation or prospect, whatever the number of instances (claimed in
// WhatsAppCloudNotice before sending), as a template when the customer's window is closed.
import type { Logger } from '../../logger.js';
import type { Db } from '../../ozmap-model/db/client.js';
import type { GeoPoint } from '../conversation/messages.js';
import { maskChatId } from '../shared/chat-queue.js';
import type { WhatsAppCloudChannel } from './channel.js';
import type { CloudStore } from './store.js';
import type { CustomerNotice } from './templates.js';

export const SOURCE = 'chatbot:whatsapp-cloud';
const PAGE = 500;
/** A reservation younger than this is not reminded (it was just made, in this very chat). */
const MIN_AGE_MS = 12 * 3600_000;

export interface NoticeJobDeps {
  db: Db;
  store: CloudStore;
  channel: Pick<WhatsAppCloudChannel, 'notify'>;
  logger: Logger;
  now: () => Date;
  signal?: AbortSignal;
}

/** Reminds each chat reservation expiring within `withinMs`, once. Returns how many were sent. */
export function sendReservationReminders(deps: NoticeJobDeps, withinMs: number): Promise<number> {
  const now = deps.now();
  return eachUnnoticed(
    deps,
    'reservation-expiring',
    (cursor) =>
      deps.db.ftthClient.findMany({
        where: {
          implanted: false,
          reservedBy: SOURCE,
          reservationExpiresAt: { gt: now, lte: new Date(now.getTime() + withinMs) },
          createdAt: { lt: new Date(now.getTime() - MIN_AGE_MS) },
          ...(cursor ? { id: { gt: cursor } } : {}),
        },
        select: {
          id: true,
          name: true,
          reservationExpiresAt: true,
          reservationMetaJson: true,
          property: { select: { address: true } },
        },
        orderBy: { id: 'asc' },
        take: PAGE,
      }),
    (client) => {
      const chatId = chatIdOf(client.reservationMetaJson);
      if (!chatId || !client.reservationExpiresAt) return undefined;
      return {
        chatId,
        notice: {
          kind: 'reservation-expiring',
          ...(client.name ? { name: client.name } : {}),
          expiresAt: client.reservationExpiresAt,
          ...(client.property?.address ? { address: client.property.address } : {}),
        },
      };
    },
  );
}

/**
 * Re-checks the points of this channel's prospects (recorded without coverage) and tells each
 * one whose point is now viable, once. Returns how many were told.
 */
export function sendCoverageNotices(
  deps: NoticeJobDeps,
  isViable: (point: GeoPoint) => boolean,
): Promise<number> {
  return eachUnnoticed(
    deps,
    'fibre-available',
    (cursor) =>
      deps.db.prospect.findMany({
        where: {
          source: SOURCE,
          viable: false,
          lat: { not: null },
          lng: { not: null },
          ...(cursor ? { id: { gt: cursor } } : {}),
        },
        select: { id: true, name: true, lat: true, lng: true, address: true, metaJson: true },
        orderBy: { id: 'asc' },
        take: PAGE,
      }),
    (prospect) => {
      const chatId = chatIdOf(prospect.metaJson);
      if (!chatId || !isViable({ lat: prospect.lat!, lng: prospect.lng! })) return undefined;
      return {
        chatId,
        notice: {
          kind: 'fibre-available',
          ...(prospect.name ? { name: prospect.name } : {}),
          ...(prospect.address ? { address: prospect.address } : {}),
        },
      };
    },
  );
}

/**
 * Walks `page` (ordered by id, `PAGE` at a time) and notifies, once, every row not yet told
 * about `kind` for which `noticeFor` has something to say. Stops early when aborted.
 */
async function eachUnnoticed<T extends { id: string }>(
  deps: NoticeJobDeps,
  kind: CustomerNotice['kind'],
  page: (cursor: string | undefined) => Promise<T[]>,
  noticeFor: (row: T) => { chatId: string; notice: CustomerNotice } | undefined,
): Promise<number> {
  let sent = 0;
  let cursor: string | undefined;
  for (;;) {
    const rows = await page(cursor);
    if (rows.length === 0) return sent;
    cursor = rows[rows.length - 1]!.id;
    const done = await deps.store.noticedSubjects(
      kind,
      rows.map((r) => r.id),
    );
    for (const row of rows) {
      if (deps.signal?.aborted) return sent;
      if (done.has(row.id)) continue;
      const due = noticeFor(row);
      if (due && (await notifyOnce(deps, row.id, due.chatId, due.notice))) sent++;
    }
  }
}

async function notifyOnce(
  deps: NoticeJobDeps,
  subjectId: string,
  chatId: string,
  notice: CustomerNotice,
): Promise<boolean> {
  if (!(await deps.store.claimNotice(notice.kind, subjectId, chatId, deps.now()))) return false;
  try {
    const { messageId, as } = await deps.channel.notify(chatId, notice);
    await deps.store.noticeSent(notice.kind, subjectId, messageId);
    deps.logger.info({ notice: notice.kind, chat: maskChatId(chatId), as }, 'customer notified');
    return true;
  } catch (error) {
    // Given back, so the next run tries again.
    await deps.store.unclaimNotice(notice.kind, subjectId);
    deps.logger.warn(
      { notice: notice.kind, chat: maskChatId(chatId), error: (error as Error).name },
      'could not notify a customer',
    );
    return false;
  }
}

function chatIdOf(metaJson: string | null): string | undefined {
  if (!metaJson) return undefined;
  try {
    const meta = JSON.parse(metaJson) as { channel?: unknown; chatId?: unknown };
    return meta.channel === 'whatsapp-cloud' && typeof meta.chatId === 'string'
      ? meta.chatId
      : undefined;
  } catch {
    return undefined;
  }
}
