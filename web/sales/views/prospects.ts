import type { ProspectDetail, ProspectRow } from '../../../src/sales/prospects.js';
import { ApiError, get, post } from '../api.js';
import { facts, h } from '../dom.js';
import { dateTime, origin, phone, PROSPECT_STATUS } from '../format.js';
import {
  loadDetail,
  badge,
  busy,
  historyView,
  notesView,
  section,
  setMain,
  toast,
  transcriptView,
} from '../ui.js';
import { listView } from './filters.js';

export function prospectList(params: URLSearchParams): Promise<void> {
  return listView({
    kind: 'prospects',
    title: 'Prospects (sem cobertura)',
    params,
    form: {
      statuses: Object.entries(PROSPECT_STATUS),
      sorts: [
        ['-createdAt', 'Mais recentes'],
        ['createdAt', 'Mais antigos'],
        ['name', 'Nome (A–Z)'],
      ],
      byLabel: 'Origem',
    },
    api: '/prospects',
    table: prospectTable,
    empty: 'Nenhum prospect com esses filtros.',
  });
}

export function prospectTable(rows: ProspectRow[]): HTMLElement {
  return h(
    'table',
    { class: 'list', id: 'prospect-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Nome', 'Telefone', 'Situação', 'Endereço', 'Origem', 'Etiquetas', 'Criado'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((p) =>
        h(
          'tr',
          { 'data-id': p.id },
          h(
            'td',
            { 'data-label': 'Nome' },
            h('a', { href: `#/prospects/${p.id}` }, p.name ?? 'Sem nome'),
          ),
          h('td', { 'data-label': 'Telefone' }, phone(p.phone)),
          h(
            'td',
            { 'data-label': 'Situação' },
            badge(PROSPECT_STATUS[p.status] ?? p.status, p.status),
          ),
          h('td', { 'data-label': 'Endereço' }, p.address ?? '—'),
          h('td', { 'data-label': 'Origem' }, origin(p.source)),
          h('td', { 'data-label': 'Etiquetas' }, p.tags.join(', ') || '—'),
          h('td', { 'data-label': 'Criado' }, dateTime(p.createdAt)),
        ),
      ),
    ),
  );
}

export function prospectDetail(id: string): Promise<void> {
  return loadDetail(
    () => get<ProspectDetail>(`/prospects/${id}`),
    (d) => render(d),
    {
      href: '#/prospects',
      label: 'Voltar aos prospects',
    },
  );
}

function render(d: ProspectDetail, notice?: string): void {
  const p = d.prospect;
  const message = h(
    'p',
    { id: 'action-message', class: notice ? 'error' : 'muted', role: 'alert' },
    notice ?? '',
  );
  const buttons = (['contacted', 'won', 'lost'] as const).map((status) => {
    const b = h(
      'button',
      {
        type: 'button',
        class: status === 'lost' ? 'secondary' : 'primary',
        'data-status': status,
        disabled: p.status === status,
      },
      `Marcar ${PROSPECT_STATUS[status]!.toLowerCase()}`,
    );
    b.addEventListener(
      'click',
      () =>
        void busy(b, async () => {
          try {
            render(
              await post<ProspectDetail>(`/prospects/${p.id}/status`, {
                version: p.version,
                status,
              }),
            );
            toast(`Prospect marcado como ${PROSPECT_STATUS[status]!.toLowerCase()}.`);
          } catch (err) {
            if (err instanceof ApiError && err.status === 409 && err.current)
              render(err.current as ProspectDetail, err.message);
            else throw err;
          }
        }),
    );
    return b;
  });
  setMain(
    h('a', { href: '#/prospects', class: 'back' }, '← Prospects'),
    h(
      'div',
      { class: 'detail-head' },
      h('h2', { class: 'view-title', id: 'detail-title' }, p.name ?? 'Prospect sem nome'),
      badge(PROSPECT_STATUS[p.status] ?? p.status, p.status),
    ),
    message,
    h('div', { class: 'actions-bar' }, buttons),
    section(
      'Dados',
      facts([
        ['Telefone', phone(p.phone)],
        ['E-mail', p.email],
        ['Endereço', p.address],
        ['Origem', origin(p.source)],
        ['Etiquetas', p.tags.join(', ')],
        ['Criado em', dateTime(p.createdAt)],
        [
          'Situação',
          p.statusBy
            ? `${PROSPECT_STATUS[p.status]} (por ${p.statusBy}, ${dateTime(p.statusUpdatedAt)})`
            : PROSPECT_STATUS[p.status],
        ],
      ]),
    ),
    section('Conversa', transcriptView(d.transcript)),
    section(
      'Anotações',
      notesView(d.notes, async (text) => {
        await post(`/prospects/${p.id}/notes`, { text });
        toast('Anotação salva.');
        await prospectDetail(p.id);
      }),
    ),
    section('Histórico', historyView(d.history)),
  );
}
