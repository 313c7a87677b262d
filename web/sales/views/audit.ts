import type { AuditEntry } from '../../../src/sales/audit.js';
import { get, query } from '../api.js';
import { h } from '../dom.js';
import { dateTime } from '../format.js';
import { actionText, errorText, setMain } from '../ui.js';

const SUBJECT_LINK: Record<string, string> = {
  reservation: '#/reservas/',
  prospect: '#/prospects/',
  handoff: '#/atendimento/',
};

export async function auditView(params: URLSearchParams): Promise<void> {
  setMain(h('p', { class: 'muted' }, 'Carregando…'));
  try {
    const entries = await get<AuditEntry[]>(
      `/audit${query({ before: params.get('before') ?? undefined })}`,
    );
    const last = entries[entries.length - 1];
    setMain(
      h('h2', { class: 'view-title' }, 'Auditoria'),
      h(
        'p',
        { class: 'help' },
        'Quem fez o quê, e quando: cada mudança feita por uma pessoa fica registrada aqui.',
      ),
      h(
        'table',
        { class: 'list', id: 'audit-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Quando', 'Quem', 'O quê'].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        h(
          'tbody',
          {},
          entries.map((e) => {
            const link = e.subjectId && SUBJECT_LINK[e.subjectType];
            return h(
              'tr',
              {},
              h('td', { 'data-label': 'Quando' }, dateTime(e.at)),
              h(
                'td',
                { 'data-label': 'Quem' },
                e.actor.type === 'apikey' ? `chave de API ${e.actor.name}` : e.actor.name,
              ),
              h(
                'td',
                { 'data-label': 'O quê' },
                link ? h('a', { href: `${link}${e.subjectId}` }, actionText(e)) : actionText(e),
              ),
            );
          }),
        ),
      ),
      entries.length === 100 && last
        ? h(
            'a',
            {
              class: 'button secondary',
              href: `#/auditoria?before=${encodeURIComponent(last.at)}`,
            },
            'Mais antigas',
          )
        : null,
    );
  } catch (err) {
    setMain(h('p', { class: 'error', role: 'alert' }, errorText(err)));
  }
}
