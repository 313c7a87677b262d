import type { TodayView } from '../../../src/sales/today.js';
import { get } from '../api.js';
import { h } from '../dom.js';
import { dateTime, origin, plural, shortDate } from '../format.js';
import { errorText, setMain } from '../ui.js';
import { handoffItem } from './handoffs.js';

function card(
  id: string,
  title: string,
  count: number,
  link: string,
  items: HTMLElement[],
  empty: string,
): HTMLElement {
  return h(
    'section',
    { class: 'card today-card', id },
    h(
      'h2',
      {},
      h('a', { href: link }, title),
      h('span', { class: 'count', 'data-count': count }, String(count)),
    ),
    items.length ? h('ul', { class: 'compact' }, items) : h('p', { class: 'muted' }, empty),
  );
}

export async function todayView(): Promise<void> {
  setMain(h('p', { class: 'muted' }, 'Carregando…'));
  try {
    const t = await get<TodayView>('/today');
    setMain(
      h('h2', { class: 'view-title' }, 'Hoje'),
      h(
        'p',
        { class: 'help' },
        `Desde ${dateTime(t.since)}. Atualiza sozinho quando algo novo chega.`,
      ),
      h(
        'div',
        { class: 'today-grid' },
        card(
          'today-waiting',
          'Aguardando atendente',
          t.counts.waiting,
          '#/atendimento',
          t.waiting.map(handoffItem),
          'Ninguém esperando.',
        ),
        card(
          'today-reservations',
          'Novas reservas',
          t.counts.reservations,
          '#/reservas',
          t.reservations.map((r) =>
            h(
              'li',
              {},
              h('a', { href: `#/reservas/${r.id}` }, r.name ?? r.code),
              h(
                'span',
                { class: 'sub' },
                `${origin(r.reservedBy)} · ${r.box?.name ?? ''} porta ${r.port ?? '?'} · ${shortDate(r.createdAt)}`,
              ),
            ),
          ),
          'Nenhuma reserva hoje ainda.',
        ),
        card(
          'today-expiring',
          'Expirando em breve',
          t.counts.expiring,
          '#/reservas?status=expiring&sort=expiresAt',
          t.expiring.map((r) =>
            h(
              'li',
              {},
              h('a', { href: `#/reservas/${r.id}` }, r.name ?? r.code),
              h('span', { class: 'sub' }, `expira ${shortDate(r.expiresAt)}`),
            ),
          ),
          'Nenhuma reserva perto de expirar.',
        ),
        card(
          'today-prospects',
          'Novos prospects',
          t.counts.prospects,
          '#/prospects',
          t.prospects.map((p) =>
            h(
              'li',
              {},
              h('a', { href: `#/prospects/${p.id}` }, p.name ?? 'Sem nome'),
              h('span', { class: 'sub' }, `${origin(p.source)} · ${p.address ?? ''}`),
            ),
          ),
          'Nenhum prospect hoje ainda.',
        ),
      ),
      h(
        'p',
        { class: 'muted', id: 'today-summary' },
        `${plural(t.counts.reservations, 'reserva', 'reservas')}, ${plural(t.counts.prospects, 'prospect', 'prospects')} e ${plural(t.counts.waiting, 'cliente esperando', 'clientes esperando')} hoje.`,
      ),
    );
  } catch (err) {
    setMain(h('p', { class: 'error', role: 'alert' }, errorText(err)));
  }
}
