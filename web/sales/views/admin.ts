import type { WebhookEndpointRecord } from '../../../src/sales/webhooks.js';
import type { SalesUserRecord } from '../../../src/sales/users.js';
import { api, get, post } from '../api.js';
import { clear, h } from '../dom.js';
import { dateTime } from '../format.js';
import { busy, confirmAction, errorText, section, setMain, toast } from '../ui.js';

const EVENTS: Array<[string, string]> = [
  ['reservation.created', 'Reserva criada'],
  ['reservation.confirmed', 'Reserva confirmada'],
  ['reservation.expiring', 'Reserva perto de expirar'],
  ['reservation.released', 'Reserva liberada'],
  ['prospect.created', 'Prospect criado'],
  ['handoff.requested', 'Cliente pediu atendente'],
  ['handoff.escalated', 'Atendimento sem resposta (escalado)'],
];

export async function adminView(): Promise<void> {
  const users = h('div', { id: 'users' }, h('p', { class: 'muted' }, 'Carregando…'));
  const hooks = h('div', { id: 'webhooks' }, h('p', { class: 'muted' }, 'Carregando…'));
  setMain(
    h('h2', { class: 'view-title' }, 'Administração'),
    section('Usuários', users),
    section('Webhooks e notificações', hooks),
  );
  await Promise.all([renderUsers(users), renderWebhooks(hooks)]);
}

async function renderUsers(box: HTMLElement): Promise<void> {
  let list: SalesUserRecord[];
  try {
    list = await get<SalesUserRecord[]>('/users');
  } catch (err) {
    return clear(box, h('p', { class: 'error' }, errorText(err)));
  }
  const shown = h('p', { id: 'new-password', class: 'notice', role: 'status', hidden: true });
  const showPassword = (username: string, password: string) => {
    shown.hidden = false;
    clear(
      shown,
      `Senha de ${username} (anote agora, ela não aparece de novo): `,
      h('code', {}, password),
    );
  };
  const username = h('input', {
    name: 'username',
    required: true,
    autocomplete: 'off',
    pattern: '[a-z0-9][a-z0-9._-]{1,39}',
    'aria-label': 'Novo usuário',
  });
  const role = h(
    'select',
    { name: 'role', 'aria-label': 'Perfil' },
    h('option', { value: 'sales' }, 'Vendas'),
    h('option', { value: 'admin' }, 'Administrador'),
  );
  const create = h('button', { type: 'submit', class: 'primary' }, 'Criar usuário');
  const form = h(
    'form',
    { class: 'inline-form', id: 'user-form' },
    h('label', {}, 'Usuário', username),
    h('label', {}, 'Perfil', role),
    create,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(create, async () => {
      const r = await post<{ user: SalesUserRecord; password: string }>('/users', {
        username: username.value,
        role: role.value,
      });
      await renderUsers(box);
      showPasswordIn(box, r.user.username, r.password);
    });
  });
  const rows = list.map((u) => {
    const toggle = h(
      'button',
      { type: 'button', class: 'secondary' },
      u.disabled ? 'Reativar' : 'Desativar',
    );
    toggle.addEventListener(
      'click',
      () =>
        void busy(toggle, async () => {
          await post(`/users/${u.id}/${u.disabled ? 'enable' : 'disable'}`);
          await renderUsers(box);
        }),
    );
    const reset = h('button', { type: 'button', class: 'secondary' }, 'Nova senha');
    reset.addEventListener(
      'click',
      () =>
        void busy(reset, async () => {
          if (
            !(await confirmAction(
              'Gerar nova senha?',
              `${u.username} sai de todas as sessões e precisa da nova senha para entrar.`,
              'Gerar',
            ))
          )
            return;
          const r = await post<{ password: string }>(`/users/${u.id}/reset-password`);
          showPassword(u.username, r.password);
        }),
    );
    return h(
      'tr',
      {},
      h('td', { 'data-label': 'Usuário' }, u.username),
      h('td', { 'data-label': 'Perfil' }, u.role === 'admin' ? 'Administrador' : 'Vendas'),
      h('td', { 'data-label': 'Situação' }, u.disabled ? 'Desativado' : 'Ativo'),
      h('td', { 'data-label': 'Último acesso' }, dateTime(u.lastLoginAt)),
      h('td', { 'data-label': 'Ações' }, toggle, ' ', reset),
    );
  });
  clear(
    box,
    shown,
    h(
      'table',
      { class: 'list' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Usuário', 'Perfil', 'Situação', 'Último acesso', 'Ações'].map((t) => h('th', {}, t)),
        ),
      ),
      h('tbody', {}, rows),
    ),
    form,
  );
}

function showPasswordIn(box: HTMLElement, username: string, password: string): void {
  const shown = box.querySelector<HTMLElement>('#new-password');
  if (!shown) return;
  shown.hidden = false;
  clear(
    shown,
    `Senha de ${username} (anote agora, ela não aparece de novo): `,
    h('code', {}, password),
  );
}

async function renderWebhooks(box: HTMLElement): Promise<void> {
  let list: WebhookEndpointRecord[];
  try {
    list = await get<WebhookEndpointRecord[]>('/webhooks');
  } catch (err) {
    return clear(box, h('p', { class: 'error' }, errorText(err)));
  }
  const kind = h(
    'select',
    { name: 'kind', 'aria-label': 'Tipo' },
    h('option', { value: 'webhook' }, 'Webhook (HTTP)'),
    h('option', { value: 'telegram' }, 'Grupo do Telegram'),
  );
  const url = h('input', {
    name: 'url',
    required: true,
    placeholder: 'https://crm.exemplo.com.br/alcance ou id do chat',
    'aria-label': 'Endereço',
  });
  const secret = h('input', {
    name: 'secret',
    type: 'password',
    minlength: 16,
    autocomplete: 'new-password',
    'aria-label': 'Segredo',
  });
  const pii = h('input', { type: 'checkbox', name: 'includePii' });
  const checks = EVENTS.map(([value, label]) =>
    h(
      'label',
      { class: 'toggle' },
      h('input', { type: 'checkbox', name: 'events', value, checked: true }),
      label,
    ),
  );
  const create = h('button', { type: 'submit', class: 'primary' }, 'Adicionar');
  const form = h(
    'form',
    { class: 'stack-form', id: 'webhook-form' },
    h('label', {}, 'Tipo', kind),
    h('label', {}, 'URL (ou id do chat do Telegram)', url),
    h('label', {}, 'Segredo para a assinatura (16+ caracteres; webhooks)', secret),
    h('fieldset', {}, h('legend', {}, 'Eventos'), checks),
    h(
      'label',
      { class: 'toggle' },
      pii,
      'Enviar CPF, telefone e e-mail sem máscara (só para sistemas da própria empresa)',
    ),
    create,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const events = checks
      .map((c) => c.querySelector('input')!)
      .filter((i) => i.checked)
      .map((i) => i.value);
    void busy(create, async () => {
      await post('/webhooks', {
        kind: kind.value,
        url: url.value,
        secret: secret.value || undefined,
        events,
        includePii: pii.checked,
      });
      toast('Webhook adicionado.');
      await renderWebhooks(box);
    });
  });
  const items = list.map((w) => {
    const log = h('div', { class: 'delivery-log' });
    const show = h('button', { type: 'button', class: 'secondary' }, 'Entregas');
    show.addEventListener(
      'click',
      () =>
        void busy(show, async () => {
          const deliveries = await get<
            Array<{
              id: string;
              eventType: string;
              status: string;
              attempts: number;
              lastStatusCode: number | null;
              lastError: string | null;
              deliveredAt: string | null;
              createdAt: string;
            }>
          >(`/webhooks/${w.id}/deliveries`);
          clear(
            log,
            deliveries.length
              ? h(
                  'table',
                  { class: 'list' },
                  h(
                    'thead',
                    {},
                    h(
                      'tr',
                      {},
                      ['Evento', 'Situação', 'Tentativas', 'Última resposta', 'Quando'].map((t) =>
                        h('th', {}, t),
                      ),
                    ),
                  ),
                  h(
                    'tbody',
                    {},
                    deliveries.map((d) =>
                      h(
                        'tr',
                        {},
                        h('td', {}, d.eventType),
                        h(
                          'td',
                          {},
                          { pending: 'Pendente', delivered: 'Entregue', failed: 'Desistiu' }[
                            d.status
                          ] ?? d.status,
                        ),
                        h('td', {}, d.attempts),
                        h(
                          'td',
                          {},
                          d.lastError ?? (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : '—'),
                        ),
                        h('td', {}, dateTime(d.deliveredAt ?? d.createdAt)),
                      ),
                    ),
                  ),
                )
              : h('p', { class: 'muted' }, 'Nenhuma entrega ainda.'),
          );
        }),
    );
    const remove = h('button', { type: 'button', class: 'danger' }, 'Remover');
    remove.addEventListener(
      'click',
      () =>
        void busy(remove, async () => {
          if (
            !(await confirmAction(
              'Remover webhook?',
              `${w.url} deixa de receber eventos.`,
              'Remover',
            ))
          )
            return;
          await api('DELETE', `/webhooks/${w.id}`);
          await renderWebhooks(box);
        }),
    );
    return h(
      'li',
      { class: 'card' },
      h('strong', {}, w.kind === 'telegram' ? `Telegram ${w.url}` : w.url),
      h(
        'span',
        { class: 'sub' },
        `${w.events.length} eventos · ${w.pending} pendentes · ${w.failed} com falha · última entrega ${dateTime(w.lastDeliveredAt)}${w.includePii ? ' · com dados pessoais' : ''}`,
      ),
      h('div', {}, show, ' ', remove),
      log,
    );
  });
  clear(
    box,
    items.length
      ? h('ul', { class: 'plain' }, items)
      : h('p', { class: 'muted' }, 'Nenhum webhook ainda.'),
    form,
  );
}
