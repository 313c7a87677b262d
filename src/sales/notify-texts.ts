// The short pt-BR line the sales team's Telegram chat gets for each event. No CPF, phone or
// e-mail: a group chat is no place for them.
import type { SalesEventType } from './events.js';
import type { ProspectSnapshot, ReservationSnapshot } from './snapshots.js';

const TZ = 'America/Sao_Paulo';

function date(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString('pt-BR', {
    timeZone: TZ,
    day: '2-digit',
    month: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

function where(r: ReservationSnapshot): string {
  const box = r.box?.name ?? r.box?.id ?? 'caixa ?';
  return r.port ? `${box}, porta ${r.port}` : box;
}

function who(name: string | null | undefined, code?: string | null): string {
  return name?.trim() || (code ? `cliente ${code}` : 'cliente sem nome');
}

function origin(by: string | null): string {
  if (!by) return '';
  const chat = /^chatbot:(\w+)$/.exec(by);
  return chat ? ` (chat ${chat[1]})` : ` (${by})`;
}

interface HandoffFacts {
  customerName?: string | null;
  channel?: string;
  position?: number;
  waitingMinutes?: number;
}

/** One line for the Telegram notification chat. */
export function notificationLine(type: SalesEventType, payload: Record<string, unknown>): string {
  const r = payload.reservation as ReservationSnapshot | undefined;
  const p = payload.prospect as ProspectSnapshot | undefined;
  const h = payload.handoff as HandoffFacts | undefined;
  switch (type) {
    case 'reservation.created':
      return `🆕 Nova reserva: ${who(r?.name, r?.code)} — ${r ? where(r) : ''}${origin(r?.reservedBy ?? null)}${r?.expiresAt ? `, vale até ${date(r.expiresAt)}` : ''}`;
    case 'reservation.confirmed':
      return `✅ Reserva confirmada (implantada): ${who(r?.name, r?.code)} — ${r ? where(r) : ''}`;
    case 'reservation.expiring':
      return `⏰ Reserva perto de expirar: ${who(r?.name, r?.code)} — ${r ? where(r) : ''}, expira ${date(r?.expiresAt)}`;
    case 'reservation.released':
      return `↩️ Reserva liberada: ${who(r?.name, r?.code)} — ${r ? where(r) : ''} está livre de novo`;
    case 'prospect.created':
      return `📋 Novo prospect sem cobertura: ${who(p?.name)}${p?.address ? ` — ${p.address}` : ''}${origin(p?.source ?? null)}`;
    case 'handoff.requested':
      return `🙋 Cliente pedindo atendente: ${who(h?.customerName)} no ${h?.channel ?? 'chat'}${h?.position ? ` (posição ${h.position} na fila)` : ''}`;
    case 'handoff.escalated':
      return `🚨 Cliente esperando atendente há ${h?.waitingMinutes ?? '?'} min sem resposta: ${who(h?.customerName)} no ${h?.channel ?? 'chat'}`;
  }
}
