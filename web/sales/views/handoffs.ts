import type { HandoffDetail, HandoffView } from '../../../src/sales/handoffs.js';
import { ApiError, get, post } from '../api.js';
import { clear, facts, h } from '../dom.js';
import { channelName, cpf, dateTime, HANDOFF_STATUS, phone, plural } from '../format.js';
import {
  badge,
  busy,
  confirmAction,
  errorText,
  section,
  setMain,
  toast,
  transcriptView,
} from '../ui.js';

export function handoffItem(v: HandoffView): HTMLElement {
  const who = v.customerName ?? 'Cliente sem nome';
  const detail =
    v.status === 'waiting'
      ? `${v.position ?? '?'}º na fila · esperando ${plural(v.waitingMinutes ?? 0, 'minuto', 'minutos')}${v.escalated ? ' · escalado' : ''}`
      : `com ${v.takenBy ?? '?'} desde ${dateTime(v.takenAt)}`;
  return h(
    'li',
    { class: `handoff ${v.status}`, 'data-id': v.id },
    h('a', { href: `#/atendimento/${v.id}` }, who),
    ' ',
    badge(HANDOFF_STATUS[v.status] ?? v.status, v.status),
    h('span', { class: 'sub' }, `${channelName(v.channel)} · ${detail}`),
  );
}

export async function handoffList(businessHours: string): Promise<void> {
  const list = h('div', { id: 'handoffs' }, h('p', { class: 'muted' }, 'Carregando…'));
  setMain(
    h('h2', { class: 'view-title' }, 'Atendimento'),
    h(
      'p',
      { class: 'help' },
      'Clientes que pediram para falar com uma pessoa. Assuma um atendimento para responder pelo canal do cliente.',
    ),
    h(
      'p',
      { class: 'help', id: 'business-hours' },
      `Horário de atendimento: ${businessHours}. Fora dele, o cliente é avisado de quando a equipe volta.`,
    ),
    list,
  );
  try {
    const [open, recent] = await Promise.all([
      get<HandoffView[]>('/handoffs'),
      get<HandoffView[]>('/handoffs?history=1'),
    ]);
    clear(
      list,
      section(
        'Na fila e em atendimento',
        open.length
          ? h('ol', { class: 'handoffs', id: 'open-handoffs' }, open.map(handoffItem))
          : h('p', { class: 'muted' }, 'Ninguém esperando agora. 🎉'),
      ),
      section(
        'Encerrados recentemente',
        recent.length
          ? h('ol', { class: 'handoffs' }, recent.slice(0, 20).map(handoffItem))
          : h('p', { class: 'muted' }, 'Nenhum ainda.'),
      ),
    );
  } catch (err) {
    clear(list, h('p', { class: 'error', role: 'alert' }, errorText(err)));
  }
}

const ANSWERS: Record<string, string> = {
  name: 'Nome',
  phone: 'Telefone',
  document: 'CPF',
  email: 'E-mail',
  address: 'Endereço',
};

export async function handoffDetail(
  id: string,
  me: { username: string; role: string },
): Promise<void> {
  try {
    render(await get<HandoffDetail>(`/handoffs/${id}`), me);
  } catch (err) {
    setMain(
      h('p', { class: 'error', role: 'alert' }, errorText(err)),
      h('a', { href: '#/atendimento' }, 'Voltar ao atendimento'),
    );
  }
}

function render(d: HandoffDetail, me: { username: string; role: string }, notice?: string): void {
  const message = h(
    'p',
    { id: 'action-message', class: notice ? 'error' : 'muted', role: 'alert' },
    notice ?? '',
  );
  const act = async (path: string, body: unknown = {}) => {
    try {
      const fresh = await post<HandoffDetail>(`/handoffs/${d.id}/${path}`, body);
      render(fresh, me);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.current) {
        // The queue moved on (another agent took it): show it as it is now.
        const fresh = await get<HandoffDetail>(`/handoffs/${d.id}`).catch(() => undefined);
        if (fresh) render(fresh, me, err.message);
        else toast(err.message, 'error');
      } else {
        message.className = 'error';
        message.textContent = errorText(err);
      }
      return false;
    }
  };
  const mine = d.status === 'taken' && d.takenBy === me.username;
  const take = h('button', { type: 'button', class: 'primary', id: 'take' }, 'Assumir atendimento');
  take.addEventListener('click', () => void busy(take, () => act('take')));
  const text = h('textarea', {
    id: 'reply-text',
    rows: 3,
    maxlength: 2000,
    'aria-label': 'Mensagem para o cliente',
    placeholder: `Escreva para o cliente (vai pelo ${channelName(d.channel)})`,
  });
  const send = h('button', { type: 'submit', class: 'primary', id: 'send' }, 'Enviar');
  const form = h('form', { class: 'reply', id: 'reply-form' }, text, send);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(send, async () => {
      if (await act('reply', { text: text.value })) toast('Mensagem enviada.');
    });
  });
  const back = h(
    'button',
    { type: 'button', class: 'secondary', id: 'hand-back' },
    'Devolver ao bot',
  );
  back.addEventListener(
    'click',
    () =>
      void busy(back, async () => {
        if (await act('hand-back')) toast('Atendimento devolvido ao bot.');
      }),
  );
  const close = h('button', { type: 'button', class: 'secondary', id: 'close' }, 'Encerrar');
  close.addEventListener(
    'click',
    () =>
      void busy(close, async () => {
        if (
          await confirmAction(
            'Encerrar o atendimento?',
            'O cliente recebe uma despedida; a próxima mensagem dele começa uma conversa nova com o bot.',
            'Encerrar',
          )
        )
          if (await act('close')) toast('Atendimento encerrado.');
      }),
  );
  const open = d.status === 'waiting' || d.status === 'taken';
  const answers = Object.entries(d.answers).filter(([k]) => ANSWERS[k]);
  setMain(
    h('a', { href: '#/atendimento', class: 'back' }, '← Atendimento'),
    h(
      'div',
      { class: 'detail-head' },
      h('h2', { class: 'view-title', id: 'detail-title' }, d.customerName ?? 'Cliente sem nome'),
      badge(HANDOFF_STATUS[d.status] ?? d.status, d.status),
    ),
    h(
      'p',
      { class: 'help', id: 'handoff-line' },
      `${channelName(d.channel)} · pediu atendimento em ${dateTime(d.requestedAt)}`,
      d.status === 'waiting' ? ` · ${d.position ?? '?'}º na fila` : '',
      d.takenBy ? ` · com ${d.takenBy}` : '',
    ),
    message,
    section('Conversa', transcriptView(d.transcript)),
    open
      ? h(
          'div',
          { class: 'actions-bar' },
          d.status === 'waiting' ? take : null,
          mine ? form : null,
          mine || me.role === 'admin' || d.status === 'waiting' ? [back, close] : null,
        )
      : null,
    section(
      'Dados que o cliente informou',
      answers.length
        ? facts(
            answers.map(([k, v]) => [
              ANSWERS[k]!,
              k === 'phone' ? phone(String(v)) : k === 'document' ? cpf(String(v)) : String(v),
            ]),
          )
        : h('p', { class: 'muted' }, 'O cliente ainda não informou dados ao bot.'),
    ),
  );
  const list = document.querySelector('.transcript');
  list?.lastElementChild?.scrollIntoView({ block: 'nearest' });
}
