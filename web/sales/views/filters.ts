import { get, query } from '../api.js';
import { clear, h } from '../dom.js';
import { errorText, pager, setMain } from '../ui.js';

export type Filters = Record<string, string | undefined>;

interface FilterChoices {
  reservedBy: string[];
  sources: string[];
  tags: string[];
}

let choices: Promise<FilterChoices> | undefined;

/** Search, filters and sort for a list; submitting puts them in the address (#/kind?...). */
export async function filterForm(o: {
  kind: 'reservas' | 'prospects';
  filters: Filters;
  statuses: Array<[string, string]>;
  sorts: Array<[string, string]>;
  byLabel: string;
}): Promise<HTMLFormElement> {
  choices ??= get<FilterChoices>('/filters').catch(() => ({
    reservedBy: [],
    sources: [],
    tags: [],
  }));
  const c = await choices;
  choices = undefined; // fresh next time (new channels and tags appear)
  const f = o.filters;
  const select = (name: string, label: string, options: Array<[string, string]>, all: string) =>
    h(
      'label',
      {},
      label,
      h(
        'select',
        { name },
        h('option', { value: '' }, all),
        options.map(([value, text]) => h('option', { value, selected: f[name] === value }, text)),
      ),
    );
  const by = (o.kind === 'reservas' ? c.reservedBy : c.sources).map((v): [string, string] => [
    v,
    v,
  ]);
  const form = h(
    'form',
    { class: 'filters', role: 'search', id: 'filters' },
    h(
      'label',
      { class: 'grow' },
      'Buscar',
      h('input', {
        type: 'search',
        name: 'q',
        value: f.q ?? '',
        placeholder: 'Nome, telefone, CPF, código ou endereço',
      }),
    ),
    select('status', 'Situação', o.statuses, 'Todas'),
    select('by', o.byLabel, by, 'Todas'),
    select(
      'tag',
      'Etiqueta',
      c.tags.map((t): [string, string] => [t, t]),
      'Todas',
    ),
    h('label', {}, 'De', h('input', { type: 'date', name: 'from', value: f.from ?? '' })),
    h('label', {}, 'Até', h('input', { type: 'date', name: 'to', value: f.to ?? '' })),
    h(
      'label',
      {},
      'Ordenar',
      h(
        'select',
        { name: 'sort' },
        o.sorts.map(([value, text]) =>
          h('option', { value, selected: (f.sort ?? o.sorts[0]![0]) === value }, text),
        ),
      ),
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Filtrar'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const q = new URLSearchParams();
    for (const [k, v] of data.entries()) if (typeof v === 'string' && v.trim()) q.set(k, v.trim());
    const s = q.toString();
    location.hash = `#/${o.kind}${s ? `?${s}` : ''}`;
  });
  return form;
}

interface Page<T> {
  total: number;
  page: number;
  pageSize: number;
  rows: T[];
}

/** A list view: title, filters, CSV of what they show, the table of one page and the pager. */
export async function listView<T>(o: {
  kind: 'reservas' | 'prospects';
  title: string;
  params: URLSearchParams;
  form: Omit<Parameters<typeof filterForm>[0], 'kind' | 'filters'>;
  /** API path, e.g. "/reservations" (the CSV is the same path + ".csv"). */
  api: string;
  table: (rows: T[]) => HTMLElement;
  empty: string;
}): Promise<void> {
  const filters: Filters = Object.fromEntries(o.params.entries());
  const page = Number(filters.page ?? 1) || 1;
  const form = await filterForm({ ...o.form, kind: o.kind, filters });
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
      href: `/sales/api${o.api}.csv${query({ ...filters, page: undefined })}`,
      download: '',
    },
    'Exportar CSV',
  );
  setMain(
    h('h2', { class: 'view-title' }, o.title),
    form,
    h('div', { class: 'toolbar' }, csv),
    results,
  );
  try {
    const answer = await get<Page<T>>(`${o.api}${query({ ...filters, page })}`);
    clear(
      results,
      answer.rows.length ? o.table(answer.rows) : h('p', { class: 'muted' }, o.empty),
      pager(answer.total, answer.page, answer.pageSize, (p) => {
        location.hash = `#/${o.kind}${query({ ...filters, page: p })}`;
      }),
    );
  } catch (err) {
    clear(results, h('p', { class: 'error', role: 'alert' }, errorText(err)));
  }
}
