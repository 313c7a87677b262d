import type { SalesPageConfig } from '../../src/sales/page.js';

let timeZone = 'America/Sao_Paulo';

export function setTimeZone(config: SalesPageConfig): void {
  timeZone = config.timeZone;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('pt-BR', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

export function shortDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('pt-BR', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** "5544999991234" → "+55 (44) 99999-1234" */
export function phone(value: string | null | undefined): string {
  if (!value) return '—';
  const d = value.replace(/\D/g, '');
  const m = /^(55)?(\d{2})(\d{4,5})(\d{4})$/.exec(d);
  return m ? `${m[1] ? '+55 ' : ''}(${m[2]}) ${m[3]}-${m[4]}` : value;
}

/** "12345678909" → "123.456.789-09" */
export function cpf(value: string | null | undefined): string {
  if (!value) return '—';
  const d = value.replace(/\D/g, '');
  return d.length === 11
    ? `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9)}`
    : value;
}

export const RESERVATION_STATUS: Record<string, string> = {
  active: 'Ativa',
  expiring: 'Expirando',
  confirmed: 'Confirmada',
  released: 'Liberada',
};

export const PROSPECT_STATUS: Record<string, string> = {
  new: 'Novo',
  contacted: 'Contatado',
  won: 'Ganho',
  lost: 'Perdido',
};

export const HANDOFF_STATUS: Record<string, string> = {
  waiting: 'Aguardando',
  taken: 'Em atendimento',
  returned: 'Devolvido ao bot',
  closed: 'Encerrado',
  cancelled: 'Cliente saiu',
};

/** "chatbot:telegram" → "Chat (Telegram)"; integrations by name. */
export function origin(value: string | null | undefined): string {
  if (!value) return '—';
  const chat = /^chatbot:(\w+)$/.exec(value);
  if (chat) return `Chat (${channelName(chat[1]!)})`;
  return value;
}

export function channelName(channel: string): string {
  return (
    {
      telegram: 'Telegram',
      whatsapp: 'WhatsApp',
      'whatsapp-cloud': 'WhatsApp (API oficial)',
      web: 'Web',
      terminal: 'Terminal',
    }[channel] ?? channel
  );
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
