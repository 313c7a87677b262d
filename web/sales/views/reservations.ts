import type { ReservationDetail, ReservationRow } from '../../../src/sales/reservations.js';
import { ApiError, get, post } from '../api.js';
import { clear, facts, h } from '../dom.js';
import { cpf, dateTime, origin, phone, RESERVATION_STATUS } from '../format.js';
import {
  loadDetail,
  badge,
  busy,
  confirmAction,
  errorText,
  historyView,
  notesView,
  section,
  setMain,
  toast,
  transcriptView,
} from '../ui.js';
import { listView } from './filters.js';

const SORTS: Array<[string, string]> = [
  ['-createdAt', 'Mais recentes'],
  ['createdAt', 'Mais antigas'],
  ['expiresAt', 'Expiram antes'],
  ['name', 'Nome (A–Z)'],
  ['code', 'Código'],
];

export function reservationList(params: URLSearchParams): Promise<void> {
  return listView({
    kind: 'reservas',
    title: 'Reservas',
    params,
    form: {
      statuses: Object.entries(RESERVATION_STATUS),
      sorts: SORTS,
      byLabel: 'Origem (canal ou integração)',
    },
    api: '/reservations',
    table: reservationTable,
    empty: 'Nenhuma reserva com esses filtros.',
  });
}

export function reservationTable(rows: ReservationRow[]): HTMLElement {
  return h(
    'table',
    { class: 'list', id: 'reservation-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Cliente', 'Telefone', 'Situação', 'Origem', 'Caixa / porta', 'Criada', 'Expira'].map(
          (t) => h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          { 'data-id': r.id },
          h(
            'td',
            { 'data-label': 'Cliente' },
            h(
              'div',
              {},
              h('a', { href: `#/reservas/${r.id}` }, r.name ?? `Cliente ${r.code}`),
              h('span', { class: 'sub' }, r.code),
            ),
          ),
          h('td', { 'data-label': 'Telefone' }, phone(r.phone)),
          h(
            'td',
            { 'data-label': 'Situação' },
            badge(RESERVATION_STATUS[r.status] ?? r.status, r.status),
          ),
          h('td', { 'data-label': 'Origem' }, origin(r.reservedBy)),
          h(
            'td',
            { 'data-label': 'Caixa / porta' },
            r.box ? `${r.box.name ?? r.box.id}, porta ${r.port ?? '?'}` : '—',
          ),
          h('td', { 'data-label': 'Criada' }, dateTime(r.createdAt)),
          h(
            'td',
            { 'data-label': 'Expira' },
            r.status === 'released' ? `Liberada ${dateTime(r.releasedAt)}` : dateTime(r.expiresAt),
          ),
        ),
      ),
    ),
  );
}

const ANSWER_LABELS: Record<string, string> = {
  name: 'Nome',
  phone: 'Telefone',
  document: 'CPF',
  email: 'E-mail',
};

export function reservationDetail(id: string): Promise<void> {
  return loadDetail(
    () => get<ReservationDetail>(`/reservations/${id}`),
    (d) => render(d),
    {
      href: '#/reservas',
      label: 'Voltar às reservas',
    },
  );
}

function render(d: ReservationDetail, notice?: string): void {
  const r = d.reservation;
  const message = h(
    'p',
    { id: 'action-message', class: notice ? 'error' : 'muted', role: 'alert', tabindex: -1 },
    notice ?? '',
  );
  const open = r.status === 'active' || r.status === 'expiring';
  const act = (path: string, body: Record<string, unknown>, done: string) => async () => {
    try {
      const fresh = await post<ReservationDetail>(`/reservations/${r.id}/${path}`, {
        version: r.version,
        ...body,
      });
      toast(done);
      render(fresh);
    } catch (err) {
      // Someone acted first: show their result and say what happened.
      if (err instanceof ApiError && err.status === 409 && err.current)
        render(err.current as ReservationDetail, err.message);
      else {
        message.className = 'error';
        message.textContent = errorText(err);
        message.focus();
      }
    }
  };

  const confirmButton = h(
    'button',
    { type: 'button', class: 'primary', id: 'confirm' },
    'Confirmar (implantada)',
  );
  confirmButton.addEventListener('click', () => {
    void (async () => {
      if (
        await confirmAction(
          'Confirmar reserva?',
          `O cliente ${r.name ?? r.code} passa a implantado e a porta fica com ele.`,
          'Confirmar',
        )
      )
        await busy(confirmButton, act('confirm', {}, 'Reserva confirmada.'));
    })();
  });
  const releaseButton = h(
    'button',
    { type: 'button', class: 'danger', id: 'release' },
    'Liberar porta',
  );
  releaseButton.addEventListener('click', () => {
    void (async () => {
      if (
        await confirmAction(
          'Liberar a porta?',
          `A reserva de ${r.name ?? r.code} é desfeita e a porta ${r.port ?? ''} da caixa ${r.box?.name ?? ''} fica livre.`,
          'Liberar porta',
        )
      )
        await busy(releaseButton, act('release', {}, 'Reserva liberada: a porta está livre.'));
    })();
  });
  const days = h(
    'select',
    { id: 'extend-days', 'aria-label': 'Dias a mais' },
    [1, 3, 7, 15, 30].map((n) => h('option', { value: n }, `+${n} ${n === 1 ? 'dia' : 'dias'}`)),
  );
  const extendButton = h(
    'button',
    { type: 'button', class: 'secondary', id: 'extend' },
    'Prorrogar',
  );
  extendButton.addEventListener(
    'click',
    () => void busy(extendButton, act('extend', { days: Number(days.value) }, 'Prazo prorrogado.')),
  );

  const moveSelect = h(
    'select',
    { id: 'move-box', 'aria-label': 'Caixa de destino' },
    h('option', { value: '' }, 'Carregando caixas…'),
  );
  const moveButton = h('button', { type: 'button', class: 'secondary', id: 'move' }, 'Mover');
  moveButton.addEventListener('click', () => {
    if (!moveSelect.value) return toast('Escolha a caixa de destino.', 'error');
    void busy(moveButton, act('move', { boxId: moveSelect.value }, 'Reserva movida.'));
  });
  if (open) {
    void get<{
      boxes: Array<{ id: string; name: string | null; distance: number; freePorts: number }>;
    }>(`/reservations/${r.id}/move-options`).then(
      ({ boxes }) => {
        clear(
          moveSelect,
          h(
            'option',
            { value: '' },
            boxes.length ? 'Escolha a caixa' : 'Nenhuma caixa com porta livre perto',
          ),
          boxes.map((b) =>
            h(
              'option',
              { value: b.id },
              `${b.name ?? b.id} — ${b.distance} m, ${b.freePorts} livres`,
            ),
          ),
        );
      },
      () => clear(moveSelect, h('option', { value: '' }, 'Não foi possível listar as caixas')),
    );
  }

  const answers = d.answers
    ? facts(
        Object.entries(d.answers).map(([k, v]) => [
          ANSWER_LABELS[k] ?? k,
          k === 'phone' ? phone(String(v)) : k === 'document' ? cpf(String(v)) : String(v),
        ]),
      )
    : h('p', { class: 'muted' }, 'Reserva feita fora do chat (sem respostas registradas).');

  setMain(
    h('a', { href: '#/reservas', class: 'back' }, '← Reservas'),
    h(
      'div',
      { class: 'detail-head' },
      h('h2', { class: 'view-title', id: 'detail-title' }, r.name ?? `Cliente ${r.code}`),
      badge(RESERVATION_STATUS[r.status] ?? r.status, r.status),
    ),
    message,
    open
      ? h(
          'div',
          { class: 'actions-bar' },
          confirmButton,
          releaseButton,
          h('span', { class: 'inline' }, days, extendButton),
          h('span', { class: 'inline' }, moveSelect, moveButton),
        )
      : null,
    section(
      'Dados',
      facts(
        [
          ['Código', r.code],
          ['Telefone', phone(r.phone)],
          ['CPF', cpf(r.document)],
          ['E-mail', r.email],
          ['Endereço', r.address],
          ['Origem', origin(r.reservedBy)],
          ['Caixa', r.box?.name ?? r.box?.id],
          ['Splitter', r.splitter?.name ?? r.splitter?.id],
          ['Porta', r.port],
          ['Criada em', dateTime(r.createdAt)],
          [
            r.status === 'released' ? 'Liberada em' : 'Expira em',
            r.status === 'released'
              ? dateTime(r.releasedAt)
              : r.status === 'confirmed'
                ? 'Não expira (confirmada)'
                : dateTime(r.expiresAt),
          ],
          ['Etiquetas', r.tags.join(', ')],
        ],
        'reservation-facts',
      ),
    ),
    section('Respostas do cliente', answers),
    section('Conversa', transcriptView(d.transcript)),
    section(
      'Anotações',
      notesView(d.notes, async (text) => {
        await post(`/reservations/${r.id}/notes`, { text });
        toast('Anotação salva.');
        await reservationDetail(r.id);
      }),
    ),
    section('Histórico', historyView(d.history)),
  );
}
