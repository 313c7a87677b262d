import { ApiError, post } from '../api.js';
import { h } from '../dom.js';
import { setMain } from '../ui.js';

export interface SignedIn {
  user: { id: string; username: string; role: 'admin' | 'sales' };
  csrfToken: string;
}

/** The sign-in form; resolves once the user is in. */
export function loginView(note?: string): Promise<SignedIn> {
  return new Promise((resolve) => {
    const username = h('input', {
      id: 'username',
      name: 'username',
      autocomplete: 'username',
      required: true,
      autocapitalize: 'none',
    });
    const password = h('input', {
      id: 'password',
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
    });
    const error = h(
      'p',
      { id: 'login-error', class: 'error', role: 'alert', hidden: !note },
      note ?? '',
    );
    const button = h('button', { type: 'submit', class: 'primary' }, 'Entrar');
    const form = h(
      'form',
      { class: 'login card', id: 'login-form' },
      h('h2', {}, 'Entrar'),
      h('label', { for: 'username' }, 'Usuário'),
      username,
      h('label', { for: 'password' }, 'Senha'),
      password,
      error,
      button,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      button.disabled = true;
      error.hidden = true;
      post<SignedIn>('/login', { username: username.value, password: password.value })
        .then(resolve, (err: unknown) => {
          error.hidden = false;
          error.textContent =
            err instanceof ApiError ? err.message : 'Não foi possível entrar agora.';
          password.value = '';
          password.focus();
        })
        .finally(() => {
          button.disabled = false;
        });
    });
    setMain(form);
    username.focus();
  });
}
