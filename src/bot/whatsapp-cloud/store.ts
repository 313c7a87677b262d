import type { Db } from '../../ozmap-model/db/client.js';
import { isUniqueViolation } from '../../ozmap-model/db/client.js';
import type { InboundMessage, OutboundMessage } from '../conversation/messages.js';
import type { CustomerNotice } from './templates.js';

/** A customer message whose answer is not finished. */
export interface PendingInbound {
  id: string;
  chatId: string;
  state: 'received' | 'replying';
  message?: InboundMessage;
  replies?: OutboundMessage[];
  /** Replies already delivered (the next one to send is `replies[sentCount]`). */
  sentCount: number;
  attempts: number;
  receivedAt: Date;
}

/** A customer wrote at `at` (their 24-hour window runs from then). */
export interface ContactTouch {
  chatId: string;
  at: Date;
  profileName?: string;
}

/** A message Meta accepted, to record with its replies' outcome. */
export interface SentRecord {
  id: string;
  chatId: string;
  kind: string;
  at: Date;
  /** What to send as a template instead if Meta reports the window closed (131047). */
  notice?: CustomerNotice;
}

const STATUS_RANK: Record<string, number> = { accepted: 0, sent: 1, delivered: 2, read: 3 };
const INBOUND_KEEP_MS = 7 * 24 * 3600_000;
const OUTBOUND_KEEP_MS = 30 * 24 * 3600_000;

/**
 * The Cloud channel's durable state (tables WhatsAppCloud*): the inbox that makes each wamid
 * processed once and answered even across restarts, the customers' 24-hour windows, our messages'
 * delivery statuses, and the notices already sent.
 */
export class CloudStore {
  constructor(private readonly db: Db) {}

  /**
   * Records a delivered message, claimed by this process for `claimMs`. False when the wamid was
   * seen before (Meta redelivers): the caller must not process it again.
   */
  async recordInbound(
    message: InboundMessage,
    receivedAt: Date,
    claimMs: number,
  ): Promise<boolean> {
    try {
      await this.db.whatsAppCloudInbound.create({
        data: {
          id: message.messageId,
          chatId: message.chatId,
          state: 'received',
          messageJson: JSON.stringify(message),
          receivedAt,
          claimedUntil: new Date(receivedAt.getTime() + claimMs),
        },
      });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async contact(
    chatId: string,
  ): Promise<{ lastInboundAt: Date; profileName?: string } | undefined> {
    const row = await this.db.whatsAppCloudContact.findUnique({ where: { chatId } });
    if (!row) return undefined;
    return {
      lastInboundAt: row.lastInboundAt,
      ...(row.profileName ? { profileName: row.profileName } : {}),
    };
  }

  /**
   * The engine answered: the message is no longer needed, the replies are what is left to do,
   * and the customer's window runs from when they wrote. One commit.
   */
  async saveReplies(id: string, replies: OutboundMessage[], contact: ContactTouch): Promise<void> {
    await this.db.$transaction([
      ...this.contactTouch(contact),
      this.db.whatsAppCloudInbound.update({
        where: { id },
        data: { state: 'replying', messageJson: null, repliesJson: JSON.stringify(replies) },
      }),
    ]);
  }

  /** Done (or given up): clears the message and replies, records what was sent. One commit. */
  async finish(
    id: string,
    state: 'done' | 'failed',
    sent: SentRecord[] = [],
    contact?: ContactTouch,
  ): Promise<void> {
    await this.db.$transaction([
      ...(contact ? this.contactTouch(contact) : []),
      ...this.outboundRows(sent),
      this.db.whatsAppCloudInbound.update({
        where: { id },
        data: { state, messageJson: null, repliesJson: null, claimedUntil: null },
      }),
    ]);
  }

  /**
   * This attempt stops after `sentCount` replies (Meta cannot take more now): another attempt
   * takes the message after `retryAt` and resumes there. One commit.
   */
  async release(id: string, retryAt: Date, sentCount: number, sent: SentRecord[]): Promise<void> {
    await this.db.$transaction([
      ...this.outboundRows(sent),
      this.db.whatsAppCloudInbound.update({
        where: { id },
        data: { claimedUntil: retryAt, sentCount },
      }),
    ]);
  }

  /**
   * The customer wrote at `c.at`: their window runs from then unless a later message is already
   * on record (Meta may deliver an older message after a newer one). Part of the caller's commit.
   */
  private contactTouch(c: ContactTouch) {
    return [
      this.db.whatsAppCloudContact.upsert({
        where: { chatId: c.chatId },
        create: { chatId: c.chatId, lastInboundAt: c.at, profileName: c.profileName ?? null },
        update: c.profileName ? { profileName: c.profileName } : {},
      }),
      this.db.whatsAppCloudContact.updateMany({
        where: { chatId: c.chatId, lastInboundAt: { lt: c.at } },
        data: { lastInboundAt: c.at },
      }),
    ];
  }

  private outboundRows(sent: SentRecord[]) {
    if (sent.length === 0) return [];
    return [
      this.db.whatsAppCloudOutbound.createMany({
        data: sent.map((r) => ({
          id: r.id,
          chatId: r.chatId,
          kind: r.kind,
          status: 'accepted',
          noticeJson: r.notice ? JSON.stringify(r.notice) : null,
          createdAt: r.at,
        })),
      }),
    ];
  }

  /**
   * Claims up to `limit` unfinished messages whose claim ran out (a process died, or an attempt
   * gave up for now), each for `claimMs`, oldest first. Two instances never claim the same one.
   */
  async claimStale(now: Date, claimMs: number, limit = 50): Promise<PendingInbound[]> {
    const rows = await this.db.whatsAppCloudInbound.findMany({
      where: { state: { in: ['received', 'replying'] }, claimedUntil: { lt: now } },
      orderBy: { receivedAt: 'asc' },
      take: limit,
    });
    const claimed: PendingInbound[] = [];
    for (const row of rows) {
      const won = await this.db.whatsAppCloudInbound.updateMany({
        where: { id: row.id, claimedUntil: row.claimedUntil },
        data: { claimedUntil: new Date(now.getTime() + claimMs), attempts: { increment: 1 } },
      });
      if (won.count === 0) continue;
      claimed.push({
        id: row.id,
        chatId: row.chatId,
        state: row.state === 'replying' ? 'replying' : 'received',
        ...(row.messageJson ? { message: reviveInbound(row.messageJson) } : {}),
        ...(row.repliesJson ? { replies: JSON.parse(row.repliesJson) as OutboundMessage[] } : {}),
        sentCount: row.sentCount,
        attempts: row.attempts + 1,
        receivedAt: row.receivedAt,
      });
    }
    return claimed;
  }

  /** A message we sent; `notice` is what to send as a template if Meta reports 131047. */
  async recordOutbound(
    id: string,
    chatId: string,
    kind: string,
    at: Date,
    notice?: CustomerNotice,
  ): Promise<void> {
    await this.db.whatsAppCloudOutbound.create({
      data: {
        id,
        chatId,
        kind,
        status: 'accepted',
        noticeJson: notice ? JSON.stringify(notice) : null,
        createdAt: at,
      },
    });
  }

  /**
   * Applies a status Meta reported. Statuses can arrive out of order: a message never goes back
   * from read to delivered; failed always wins. Returns the message's pending notice when it
   * failed (and forgets it, so a repeated status does not resend), or undefined.
   */
  async applyStatus(
    id: string,
    status: string,
    errorCode?: number,
  ): Promise<{ chatId: string; notice?: CustomerNotice } | undefined> {
    const row = await this.db.whatsAppCloudOutbound.findUnique({ where: { id } });
    if (!row) return undefined;
    if (status === 'failed') {
      const cleared = await this.db.whatsAppCloudOutbound.updateMany({
        where: { id, status: { not: 'failed' } },
        data: { status, errorCode: errorCode ?? null, noticeJson: null },
      });
      if (cleared.count === 0) return { chatId: row.chatId };
      return {
        chatId: row.chatId,
        ...(row.noticeJson ? { notice: reviveNotice(row.noticeJson) } : {}),
      };
    }
    const rank = STATUS_RANK[status];
    if (rank === undefined || row.status === 'failed' || rank <= (STATUS_RANK[row.status] ?? -1)) {
      return { chatId: row.chatId };
    }
    // Delivered or read: the window question is settled, nothing to resend.
    await this.db.whatsAppCloudOutbound.update({
      where: { id },
      data: { status, noticeJson: null },
    });
    return { chatId: row.chatId };
  }

  async outboundStatus(id: string): Promise<string | undefined> {
    return (await this.db.whatsAppCloudOutbound.findUnique({ where: { id } }))?.status;
  }

  /** Claims the right to send the `kind` notice about `subjectId`; false when already claimed. */
  async claimNotice(kind: string, subjectId: string, chatId: string, at: Date): Promise<boolean> {
    try {
      await this.db.whatsAppCloudNotice.create({
        data: { kind, subjectId, chatId, createdAt: at },
      });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async noticeSent(kind: string, subjectId: string, messageId: string): Promise<void> {
    await this.db.whatsAppCloudNotice.update({
      where: { kind_subjectId: { kind, subjectId } },
      data: { messageId },
    });
  }

  /** Gives a claim back (the notice could not be sent) so a later run tries again. */
  async unclaimNotice(kind: string, subjectId: string): Promise<void> {
    await this.db.whatsAppCloudNotice.deleteMany({ where: { kind, subjectId } });
  }

  async noticedSubjects(kind: string, subjectIds: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < subjectIds.length; i += 500) {
      const rows = await this.db.whatsAppCloudNotice.findMany({
        where: { kind, subjectId: { in: subjectIds.slice(i, i + 500) } },
        select: { subjectId: true },
      });
      for (const r of rows) found.add(r.subjectId);
    }
    return found;
  }

  /** Forgets answered messages past Meta's redelivery horizon and old delivery statuses. */
  async purge(now: Date): Promise<{ inbound: number; outbound: number }> {
    const inbound = await this.db.whatsAppCloudInbound.deleteMany({
      where: {
        state: { in: ['done', 'failed'] },
        receivedAt: { lt: new Date(now.getTime() - INBOUND_KEEP_MS) },
      },
    });
    const outbound = await this.db.whatsAppCloudOutbound.deleteMany({
      where: { createdAt: { lt: new Date(now.getTime() - OUTBOUND_KEEP_MS) } },
    });
    return { inbound: inbound.count, outbound: outbound.count };
  }
}

function reviveInbound(json: string): InboundMessage {
  const message = JSON.parse(json) as InboundMessage & { sentAt: string };
  return { ...message, sentAt: new Date(message.sentAt) };
}

function reviveNotice(json: string): CustomerNotice {
  const notice = JSON.parse(json) as CustomerNotice;
  if (notice.kind !== 'reservation-expiring') return notice;
  // JSON turned the date into a string.
  return { ...notice, expiresAt: new Date(notice.expiresAt) };
}
