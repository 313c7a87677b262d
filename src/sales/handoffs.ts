import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import type { Db } from '../ozmap-model/db/client.js';
import type { Channel, OutboundMessage } from '../bot/conversation/messages.js';
import { audit, type Actor } from './audit.js';
import { isOpen, nextOpening, openMsBetween, type BusinessHours } from './business-hours.js';
import { recordEvents } from './events.js';
import type { LiveBus } from './live.js';
import { StaleError } from './stale.js';
import type { Transcript, TranscriptLine } from './transcript.js';

/** Sends to a customer through their own channel (the chat system's senders). */
export interface ChatOut {
  send(channel: string, chatId: string, messages: OutboundMessage[]): Promise<void>;
}

/** Gives a chat back to the bot (the conversation engine's release). */
export interface ChatRelease {
  release(channel: Channel, chatId: string): Promise<boolean>;
}

export interface HandoffRequestInput {
  channel: Channel;
  chatId: string;
  conversationId?: string;
  step?: string;
  customerName?: string;
  /** What the customer told the bot so far (location, name, phone, ...). */
  answers?: Record<string, unknown>;
}

export interface HandoffView {
  id: string;
  channel: string;
  status: 'waiting' | 'taken' | 'returned' | 'closed' | 'cancelled';
  customerName: string | null;
  step: string | null;
  requestedAt: string;
  /** 1-based place among those waiting (waiting ones only). */
  position: number | null;
  /** Business-hours minutes the customer has waited for a person (waiting ones). */
  waitingMinutes: number | null;
  takenAt: string | null;
  takenBy: string | null;
  endedAt: string | null;
  endedBy: string | null;
  escalated: boolean;
  updatedAt: string;
}

export interface HandoffDetail extends HandoffView {
  chatId: string;
  answers: Record<string, unknown>;
  transcript: TranscriptLine[];
}

export interface HandoffQueueOptions {
  db: Db;
  now: () => Date;
  logger: Logger;
  live: LiveBus;
  hours: BusinessHours;
  /** Unanswered this long (in business time) → `handoff.escalated`. */
  escalateAfterMs: number;
  transcript: Transcript;
  out: ChatOut;
  release: ChatRelease;
  /** Events were recorded: the dispatcher sends them on. */
  onEvents: () => void;
}

const OPEN = ['waiting', 'taken'];
const MAX_REPLY = 2000;

export const HANDOFF_TEXTS = {
  handedBack:
    'Pronto! Você voltou para o atendimento automático 🤖 Envie "menu" para ver as opções.',
  closed: 'Atendimento encerrado. Obrigado pelo contato! 👋 Quando precisar, é só mandar um "oi".',
};

type Row = Awaited<ReturnType<Db['salesHandoff']['findFirstOrThrow']>>;

/**
 * Customers waiting for a person. The bot puts them in the queue ("atendente"); an agent takes
 * one (only one agent can), reads the transcript and the collected data, replies through the
 * customer's own channel, and hands the chat back to the bot or closes it.
 */
export class HandoffQueue {
  constructor(private readonly o: HandoffQueueOptions) {}

  /**
   * The bot handed a chat off: queue it (once per chat; a repeat after a crash finds it) and
   * answer what the customer must be told: their place in the queue, or when the team opens.
   */
  async requested(input: HandoffRequestInput): Promise<{ position?: number; opensAt?: Date }> {
    const { db } = this.o;
    const at = this.o.now();
    const row = await db.$transaction(async (tx) => {
      const open = await tx.salesHandoff.findFirst({
        where: { channel: input.channel, chatId: input.chatId, status: { in: OPEN } },
      });
      if (open) return open;
      const id = newId(at.getTime());
      const created = await tx.salesHandoff.create({
        data: {
          id,
          channel: input.channel,
          chatId: input.chatId,
          conversationId: input.conversationId ?? null,
          customerName: input.customerName?.trim() || null,
          answersJson: JSON.stringify(input.answers ?? {}),
          step: input.step ?? null,
          status: 'waiting',
          requestedAt: at,
          updatedAt: at,
        },
      });
      const position = await this.positionOf(created, tx);
      await recordEvents(
        tx,
        [
          {
            type: 'handoff.requested',
            subjectKey: `handoff:${id}`,
            dedupeKey: `handoff.requested:${id}`,
            payload: {
              handoff: {
                id,
                channel: input.channel,
                customerName: created.customerName,
                step: created.step,
                position,
                requestedAt: at.toISOString(),
                withinBusinessHours: isOpen(this.o.hours, at),
              },
            },
          },
        ],
        at,
      );
      return created;
    });
    this.o.onEvents();
    this.o.logger.info({ handoff: row.id, channel: row.channel }, 'hand-off queued');
    if (isOpen(this.o.hours, at)) return { position: await this.positionOf(row) };
    return { opensAt: nextOpening(this.o.hours, at) };
  }

  /** The customer left the queue ("menu", "cancelar") or the bot took the chat back. */
  async customerLeft(channel: string, chatId: string): Promise<void> {
    const at = this.o.now();
    const open = await this.o.db.salesHandoff.findMany({
      where: { channel, chatId, status: { in: OPEN } },
      select: { id: true },
    });
    for (const { id } of open) {
      const { count } = await this.o.db.salesHandoff.updateMany({
        where: { id, status: { in: OPEN } },
        data: { status: 'cancelled', endedAt: at, endedByName: 'cliente', updatedAt: at },
      });
      if (count) await this.publish('handoff.cancelled', id, at);
    }
  }

  /** A customer with an open hand-off wrote: the agents' screens refresh the chat. */
  async customerWrote(channel: string, chatId: string): Promise<void> {
    const open = await this.o.db.salesHandoff.findFirst({
      where: { channel, chatId, status: { in: OPEN } },
      select: { id: true },
    });
    if (open) await this.publish('handoff.message', open.id, this.o.now());
  }

  /** Waiting (oldest first) and taken hand-offs. */
  async open(): Promise<HandoffView[]> {
    const rows = await this.o.db.salesHandoff.findMany({
      where: { status: { in: OPEN } },
      orderBy: [{ requestedAt: 'asc' }, { id: 'asc' }],
      take: 500,
    });
    return this.views(rows);
  }

  /** Recent hand-offs that ended (for the history tab). */
  async recent(limit = 50): Promise<HandoffView[]> {
    const rows = await this.o.db.salesHandoff.findMany({
      where: { status: { notIn: OPEN } },
      orderBy: { updatedAt: 'desc' },
      take: limit,
    });
    return this.views(rows);
  }

  async detail(id: string): Promise<HandoffDetail> {
    const row = await this.row(id);
    const [view] = await this.views([row]);
    return {
      ...view!,
      chatId: row.chatId,
      answers: JSON.parse(row.answersJson) as Record<string, unknown>,
      transcript: await this.o.transcript.list(row.channel, row.chatId),
    };
  }

  /** An agent takes a waiting hand-off; a second agent is refused with who has it. */
  async take(id: string, actor: Actor): Promise<HandoffDetail> {
    const agent = agentOf(actor);
    const at = this.o.now();
    const taken = await this.o.db.$transaction(async (tx) => {
      const { count } = await tx.salesHandoff.updateMany({
        where: { id, status: 'waiting' },
        data: {
          status: 'taken',
          takenAt: at,
          takenById: agent.id,
          takenByName: agent.name,
          updatedAt: at,
        },
      });
      if (count === 1) {
        await audit(
          tx,
          actor,
          { action: 'handoff.take', subjectType: 'handoff', subjectId: id },
          at,
        );
      }
      return count === 1;
    });
    if (!taken) {
      const row = await this.row(id);
      if (row.status === 'taken' && row.takenById === agent.id) return this.detail(id);
      throw await this.stale(row);
    }
    await this.publish('handoff.taken', id, at);
    return this.detail(id);
  }

  /** The agent who has the hand-off writes to the customer, through the customer's channel. */
  async reply(id: string, actor: Actor, text: unknown): Promise<HandoffDetail> {
    const agent = agentOf(actor);
    const message = typeof text === 'string' ? text.trim() : '';
    if (!message) throw new ValidationError('Escreva a mensagem antes de enviar.', 'text');
    if (message.length > MAX_REPLY)
      throw new ValidationError(`A mensagem passa de ${MAX_REPLY} caracteres.`, 'text');
    const row = await this.row(id);
    if (row.status !== 'taken' || row.takenById !== agent.id) {
      if (row.status === 'waiting')
        throw new ConflictError('Assuma este atendimento antes de responder.', 'status');
      throw await this.stale(row);
    }
    await this.o.out.send(row.channel, row.chatId, [{ kind: 'text', text: message }]);
    const at = this.o.now();
    await this.o.transcript.record([
      {
        channel: row.channel,
        chatId: row.chatId,
        direction: 'out',
        author: 'agent',
        agentName: agent.name,
        text: message,
        at,
      },
    ]);
    await this.o.db.salesHandoff.updateMany({ where: { id }, data: { updatedAt: at } });
    await audit(
      this.o.db,
      actor,
      {
        action: 'handoff.reply',
        subjectType: 'handoff',
        subjectId: id,
        detail: { characters: message.length },
      },
      at,
    );
    await this.publish('handoff.message', id, at);
    return this.detail(id);
  }

  /** Back to the bot: the customer is told, and the bot answers the next message. */
  handBack(id: string, actor: Actor): Promise<HandoffDetail> {
    return this.end(id, actor, 'returned', HANDOFF_TEXTS.handedBack);
  }

  /** Done: the customer is thanked; the next message starts a new conversation with the bot. */
  close(id: string, actor: Actor): Promise<HandoffDetail> {
    return this.end(id, actor, 'closed', HANDOFF_TEXTS.closed);
  }

  private async end(
    id: string,
    actor: Actor,
    status: 'returned' | 'closed',
    notice: string,
  ): Promise<HandoffDetail> {
    const agent = agentOf(actor);
    const row = await this.row(id);
    // Whoever has it ends it; an admin may end anyone's.
    const mayEnd =
      row.status === 'waiting' ||
      (row.status === 'taken' &&
        (row.takenById === agent.id || actor.type !== 'user' || actor.role === 'admin'));
    if (!mayEnd) throw await this.stale(row);
    const at = this.o.now();
    const { count } = await this.o.db.salesHandoff.updateMany({
      where: { id, status: row.status, updatedAt: row.updatedAt },
      data: { status, endedAt: at, endedByName: agent.name, updatedAt: at },
    });
    if (count === 0) throw await this.stale(await this.row(id));
    await this.o.release.release(row.channel as Channel, row.chatId);
    await audit(
      this.o.db,
      actor,
      {
        action: status === 'returned' ? 'handoff.hand-back' : 'handoff.close',
        subjectType: 'handoff',
        subjectId: id,
      },
      at,
    );
    try {
      await this.o.out.send(row.channel, row.chatId, [{ kind: 'text', text: notice }]);
      await this.o.transcript.record([
        {
          channel: row.channel,
          chatId: row.chatId,
          direction: 'out',
          author: 'bot',
          text: notice,
          at,
        },
      ]);
    } catch (err) {
      this.o.logger.warn({ handoff: id, err: (err as Error).message }, 'hand-off notice not sent');
    }
    await this.publish(`handoff.${status}`, id, at);
    return this.detail(id);
  }

  /** Waiting hand-offs past the configured time (business time) get `handoff.escalated`, once. */
  async escalate(): Promise<number> {
    const at = this.o.now();
    const waiting = await this.o.db.salesHandoff.findMany({
      where: { status: 'waiting', escalatedAt: null },
      orderBy: { requestedAt: 'asc' },
      take: 500,
    });
    let escalated = 0;
    for (const row of waiting) {
      const waitedMs = openMsBetween(this.o.hours, row.requestedAt, at);
      if (waitedMs < this.o.escalateAfterMs) continue;
      const done = await this.o.db.$transaction(async (tx) => {
        const { count } = await tx.salesHandoff.updateMany({
          where: { id: row.id, status: 'waiting', escalatedAt: null },
          data: { escalatedAt: at },
        });
        if (count === 0) return false;
        await recordEvents(
          tx,
          [
            {
              type: 'handoff.escalated',
              subjectKey: `handoff:${row.id}`,
              dedupeKey: `handoff.escalated:${row.id}`,
              payload: {
                handoff: {
                  id: row.id,
                  channel: row.channel,
                  customerName: row.customerName,
                  requestedAt: row.requestedAt.toISOString(),
                  waitingMinutes: Math.floor(waitedMs / 60_000),
                },
              },
            },
          ],
          at,
        );
        return true;
      });
      if (done) escalated++;
    }
    if (escalated) this.o.onEvents();
    return escalated;
  }

  private async row(id: string): Promise<Row> {
    const row = await this.o.db.salesHandoff.findUnique({ where: { id } });
    if (!row) throw new NotFoundError('atendimento', id);
    return row;
  }

  /** 409 with the fresh state: who has it, or that it ended. */
  private async stale(row: Row): Promise<StaleError> {
    const [view] = await this.views([row]);
    const message =
      row.status === 'taken'
        ? `Este atendimento já está com ${row.takenByName ?? 'outra pessoa'}.`
        : row.status === 'cancelled'
          ? 'O cliente saiu da fila (voltou ao menu ou cancelou).'
          : `Este atendimento já foi encerrado${row.endedByName ? ` por ${row.endedByName}` : ''}.`;
    return new StaleError(message, view!);
  }

  private async positionOf(row: Row, db: Pick<Db, 'salesHandoff'> = this.o.db): Promise<number> {
    // Ties (two requests in the same millisecond) are broken by id, which is time-ordered.
    const ahead = await db.salesHandoff.count({
      where: {
        status: 'waiting',
        OR: [
          { requestedAt: { lt: row.requestedAt } },
          { requestedAt: row.requestedAt, id: { lt: row.id } },
        ],
      },
    });
    return ahead + 1;
  }

  private async views(rows: Row[]): Promise<HandoffView[]> {
    const at = this.o.now();
    const waiting = await this.o.db.salesHandoff.findMany({
      where: { status: 'waiting' },
      orderBy: [{ requestedAt: 'asc' }, { id: 'asc' }],
      select: { id: true },
      take: 5000,
    });
    const place = new Map(waiting.map((w, i) => [w.id, i + 1]));
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      status: r.status as HandoffView['status'],
      customerName: r.customerName,
      step: r.step,
      requestedAt: r.requestedAt.toISOString(),
      position: r.status === 'waiting' ? (place.get(r.id) ?? null) : null,
      waitingMinutes:
        r.status === 'waiting'
          ? Math.floor(openMsBetween(this.o.hours, r.requestedAt, at) / 60_000)
          : null,
      takenAt: r.takenAt?.toISOString() ?? null,
      takenBy: r.takenByName,
      endedAt: r.endedAt?.toISOString() ?? null,
      endedBy: r.endedByName,
      escalated: r.escalatedAt !== null,
      updatedAt: r.updatedAt.toISOString(),
    }));
  }

  private async publish(type: string, id: string, at: Date): Promise<void> {
    await this.o.live
      .publish({ type, at: at.toISOString(), subjectType: 'handoff', subjectId: id })
      .catch((err: unknown) => this.o.logger.warn({ err }, 'live publish failed'));
  }
}

function agentOf(actor: Actor): { id: string; name: string } {
  return actor.type === 'system'
    ? { id: 'system', name: actor.name }
    : { id: actor.id, name: actor.name };
}
