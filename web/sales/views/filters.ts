import { get } from '../api.js';
import { h } from '../dom.js';

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
