// Pieces several views share: toasts, the confirmation dialog, status badges, the transcript,
// notes and history, the pager.
import type { AuditEntry } from '../../src/sales/audit.js';
import type { Note } from '../../src/sales/notes.js';
import type { TranscriptLine } from '../../src/sales/transcript.js';
import { ApiError } from './api.js';
import { $, clear, h } from './dom.js';
import { dateTime, shortDate } from './format.js';

/** Shows "Carregando…", then the loaded data through `show`, or the error with a way back. */
export async function loadDetail<T>(
  load: () => Promise<T>,
  show: (data: T) => void,
  back: { href: string; label: string },
): Promise<void> {
  setMain(h('p', { class: 'muted' }, 'Carregando…'));
  try {
    show(await load());
  } catch (err) {
    setMain(
      h('p', { class: 'error', role: 'alert' }, errorText(err)),
      h('a', { href: back.href }, back.label),
    );
  }
}

export function toast(text: string, kind: 'info' | 'error' = 'info'): void {
  const box = $('toasts');
  const item = h('p', { class: `toast ${kind}` }, text);
  box.append(item);
  window.setTimeout(() => item.remove(), kind === 'error' ? 8000 : 5000);
}

/** Asks before a consequential action; resolves true on "yes". */
export function confirmAction(title: string, text: string, yes: string): Promise<boolean> {
  const dialog = $<HTMLDialogElement>('confirm-dialog');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  const yesButton = $<HTMLButtonElement>('confirm-yes');
  const noButton = $<HTMLButtonElement>('confirm-no');
  yesButton.textContent = yes;
  return new Promise((resolve) => {
    const done = (answer: boolean) => {
      yesButton.onclick = null;
      noButton.onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    yesButton.onclick = () => done(true);
    noButton.onclick = () => done(false);
    dialog.onclose = () => done(false);
    dialog.showModal();
  });
}

export function badge(text: string, kind: string): HTMLSpanElement {
  return h('span', { class: `status status-${kind}` }, text);
}

export function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : 'Algo deu errado. Tente de novo.';
}

/** Runs an action with its button disabled; shows the server's message on failure. */
export async function busy<T>(
  button: HTMLButtonElement | undefined,
  run: () => Promise<T>,
  onError?: (err: unknown) => void,
): Promise<T | undefined> {
  if (button) button.disabled = true;
  try {
    return await run();
  } catch (err) {
    if (onError) onError(err);
    else toast(errorText(err), 'error');
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

export function transcriptView(lines: TranscriptLine[]): HTMLElement {
  if (lines.length === 0) return h('p', { class: 'muted' }, 'Nenhuma mensagem registrada.');
  return h(
    'ol',
    { class: 'transcript', 'aria-label': 'Conversa' },
    lines.map((l) =>
      h(
        'li',
        { class: `msg msg-${l.author}` },
        h(
          'span',
          { class: 'msg-who' },
          l.author === 'customer'
            ? 'Cliente'
            : l.author === 'agent'
              ? (l.agentName ?? 'Atendente')
              : 'Bot',
          ' · ',
          shortDate(l.at),
        ),
        h('span', { class: 'msg-text' }, l.text),
      ),
    ),
  );
}

const ACTIONS: Record<string, string> = {
  'reservation.confirm': 'confirmou a reserva',
  'reservation.release': 'liberou a reserva',
  'reservation.extend': 'prorrogou a reserva',
  'reservation.move': 'mudou a reserva de porta',
  'reservation.note': 'anotou na reserva',
  'reservation.export': 'exportou reservas (CSV)',
  'prospect.status': 'mudou a situação do prospect',
  'prospect.note': 'anotou no prospect',
  'prospect.export': 'exportou prospects (CSV)',
  'handoff.take': 'assumiu o atendimento',
  'handoff.reply': 'respondeu ao cliente',
  'handoff.hand-back': 'devolveu o atendimento ao bot',
  'handoff.close': 'encerrou o atendimento',
  'handoff.note': 'anotou no atendimento',
  'user.create': 'criou um usuário',
  'user.disable': 'desativou um usuário',
  'user.enable': 'reativou um usuário',
  'user.reset-password': 'redefiniu a senha de um usuário',
  'session.login': 'entrou',
  'session.logout': 'saiu',
  'webhook.create': 'criou um webhook',
  'webhook.update': 'alterou um webhook',
  'webhook.delete': 'removeu um webhook',
  'webhook.retry': 'reenviou uma entrega de webhook',
};

export function actionText(entry: AuditEntry): string {
  const base = ACTIONS[entry.action] ?? entry.action;
  const d = entry.detail;
  if (entry.action === 'reservation.extend' && typeof d.days === 'number')
    return `${base} por ${d.days} ${d.days === 1 ? 'dia' : 'dias'}`;
  if (entry.action === 'reservation.move') {
    const to = d.to as { box?: string; port?: number } | undefined;
    return to ? `${base}: ${to.box ?? '?'}, porta ${to.port ?? '?'}` : base;
  }
  if (entry.action === 'prospect.status') return `${base} para “${statusPt(String(d.to))}”`;
  if (entry.action.startsWith('user.') && typeof d.username === 'string')
    return `${base}: ${d.username}`;
  return base;
}

function statusPt(s: string): string {
  return { new: 'novo', contacted: 'contatado', won: 'ganho', lost: 'perdido' }[s] ?? s;
}

export function historyView(entries: AuditEntry[]): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'muted' }, 'Nenhuma ação registrada ainda.');
  return h(
    'ol',
    { class: 'history' },
    entries.map((e) =>
      h(
        'li',
        {},
        h('time', { datetime: e.at }, dateTime(e.at)),
        ' — ',
        h('strong', {}, e.actor.name),
        ' ',
        actionText(e),
      ),
    ),
  );
}

/** Notes and the form to add one; `save` posts and re-renders. */
export function notesView(notes: Note[], save: (text: string) => Promise<void>): HTMLElement {
  const text = h('textarea', {
    id: 'note-text',
    rows: 3,
    maxlength: 2000,
    'aria-label': 'Nova anotação',
  });
  const button = h('button', { type: 'submit', class: 'secondary' }, 'Salvar anotação');
  const form = h('form', { class: 'note-form' }, text, button);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(button, async () => {
      await save(text.value);
      text.value = '';
    });
  });
  return h(
    'div',
    {},
    notes.length
      ? h(
          'ul',
          { class: 'notes' },
          notes.map((n) =>
            h(
              'li',
              {},
              h('span', { class: 'note-meta' }, `${n.author} · ${dateTime(n.createdAt)}`),
              h('span', { class: 'note-text' }, n.text),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'Sem anotações.'),
    form,
  );
}

export function pager(
  total: number,
  page: number,
  pageSize: number,
  go: (page: number) => void,
): HTMLElement {
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  const prev = h('button', { type: 'button', class: 'secondary', disabled: page <= 1 }, 'Anterior');
  const next = h(
    'button',
    { type: 'button', class: 'secondary', disabled: last >= total },
    'Próxima',
  );
  prev.addEventListener('click', () => go(page - 1));
  next.addEventListener('click', () => go(page + 1));
  return h(
    'div',
    { class: 'pager' },
    h('span', { id: 'page-info' }, `${first}–${last} de ${total}`),
    prev,
    next,
  );
}

export function section(
  title: string,
  ...children: Array<Node | string | null | false>
): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

export function setMain(...children: Array<Node | null | false>): HTMLElement {
  const main = $('main');
  clear(main, ...children);
  return main;
}
