// Sign in: username and password unlock the database for this user.

import { login } from '../api.js';
import { field, h } from '../dom.js';
import { notices, save } from './common.js';

/** `onSignedIn(status)` runs with the core's status once the password is accepted. */
export function renderSignIn(root, onSignedIn) {
  const username = h('input', { id: 'signin-username', type: 'text', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { id: 'signin-password', type: 'password', autocomplete: 'current-password' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const notes = notices();
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'signin-heading' },
    h('div', { class: 'fields stack' }, field('Username', username), field('Password', password)),
    h('div', { class: 'form-actions' }, submit, notes.node));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = await save(submit, notes, () => login(username.value.trim(), password.value));
    if (status) {
      onSignedIn(status);
      return;
    }
    password.value = '';
    (username.value ? password : username).focus();
  });

  root.replaceChildren(h('div', { class: 'auth' }, h('h1', { id: 'signin-heading' }, 'Sign in'), form));
  username.focus();
}
