// Change your password: required after an admin set a temporary one, and open to anyone at any time.

import { field, h } from '../lib/dom.js';
import { notices, save } from '../lib/save.js';
import { changePassword } from '../shell/api.js';

/** `forced`: the core refuses everything else until this is done. `onChanged(status)` runs on success. */
export function renderChangePassword(root, { forced, onChanged }) {
  const current = h('input', { id: 'current-password', type: 'password', autocomplete: 'current-password' });
  const next = h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password' });
  const confirm = h('input', { id: 'new-password-confirm', type: 'password', autocomplete: 'new-password' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Change password');
  const notes = notices();
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'password-heading' },
    h('div', { class: 'fields stack' },
      field('Current password', current, forced && 'the temporary one'),
      field('New password', next),
      field('Confirm new password', confirm)),
    h('div', { class: 'form-actions' }, submit, notes.node));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = await save(submit, notes, () => changePassword({
      current_password: current.value,
      new_password: next.value,
      new_password_confirm: confirm.value,
    }));
    if (!status) return;
    form.reset();
    notes.saved('Password changed');
    current.focus();
    onChanged(status);
  });

  root.replaceChildren(h('div', { class: 'auth' },
    h('h1', { id: 'password-heading' }, 'Change your password'),
    forced && h('p', {}, 'An administrator set a temporary password for you. Choose your own before you go on; only you will know it.'),
    form));
  current.focus();
}
