import type { ProspectDetail, ProspectRow } from '../../../src/sales/prospects.js';
import { ApiError, get, post, query } from '../api.js';
import { clear, facts, h } from '../dom.js';
import { dateTime, origin, phone, PROSPECT_STATUS } from '../format.js';
import {
  badge,
  busy,
  errorText,
  historyView,
  notesView,
  pager,
  section,
  setMain,
  toast,
  transcriptView,
} from '../ui.js';
import { filterForm, type Filters } from './filters.js';

interface ListAnswer {
  total: number;
  page: number;
  pageSize: number;
  rows: ProspectRow[];
}

export async function prospectList(params: URLSearchParams): Promise<void> {
  const filters: Filters = Object.fromEntries(params.entries());
  const page = Number(filters.page ?? 1) || 1;
  const form = await filterForm({
    kind: 'prospects',
    filters,
    statuses: Object.entries(PROSPECT_STATUS),
    sorts: [
      ['-createdAt', 'Mais recentes'],
      ['createdAt', 'Mais antigos'],
      ['name', 'Nome (A–Z)'],
    ],
    byLabel: 'Origem',
  });
  const results = h(
    'div',
    { id: 'results', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'Carregando…'),
  );
  const csv = h(
    'a',
    {
      class: 'button secondary',
      id: 'export-csv',
      href: `/sales/api/prospects.csv${query({ ...filters, page: undefined })}`,
      download: '',
    },
    'Exportar CSV',
  );
  setMain(
    h('h2', { class: 'view-title' }, 'Prospects (sem cobertura)'),
    form,
    h('div', { class: 'toolbar' }, csv),
    results,
  );
  try {
    const a = await get<ListAnswer>(`/prospects${query({ ...filters, page })}`);
    clear(
      results,
      a.rows.length
        ? prospectTable(a.rows)
        : h('p', { class: 'muted' }, 'Nenhum prospect com esses filtros.'),
      pager(a.total, a.page, a.pageSize, (p) => {
        location.hash = `#/prospects${query({ ...filters, page: p })}`;
      }),
    );
  } catch (err) {
    clear(results, h('p', { class: 'error', role: 'alert' }, errorText(err)));
  }
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

export async function prospectDetail(id: string): Promise<void> {
  setMain(h('p', { class: 'muted' }, 'Carregando…'));
  try {
    render(await get<ProspectDetail>(`/prospects/${id}`));
  } catch (err) {
    setMain(
      h('p', { class: 'error', role: 'alert' }, errorText(err)),
      h('a', { href: '#/prospects' }, 'Voltar aos prospects'),
    );
  }
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
