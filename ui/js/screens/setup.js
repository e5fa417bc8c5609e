// First run: the administrator account, created before anything else can happen.

import { checkbox, field, h } from '../lib/dom.js';
import { checkedRoles } from '../lib/form.js';
import { notices, save } from '../lib/save.js';
import { setup } from '../shell/api.js';

/** `onCreated({status, recovery_key})` runs once the core has created the account. */
export function renderSetup(root, onCreated) {
  const inputs = {
    username: h('input', { id: 'setup-username', type: 'text', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' }),
    name: h('input', { id: 'setup-name', type: 'text', autocomplete: 'name', spellcheck: 'false' }),
    password: h('input', { id: 'setup-password', type: 'password', autocomplete: 'new-password' }),
    confirm: h('input', { id: 'setup-password-confirm', type: 'password', autocomplete: 'new-password' }),
  };
  const roles = {
    nurse: h('input', { id: 'setup-nurse', type: 'checkbox' }),
    physician: h('input', { id: 'setup-physician', type: 'checkbox' }),
  };
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create admin account');
  const notes = notices();
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'setup-heading' },
    h('div', { class: 'fields stack' },
      field('Username', inputs.username),
      field('Full name', inputs.name, 'as it appears on signatures'),
      field('Password', inputs.password),
      field('Confirm password', inputs.confirm)),
    h('fieldset', { class: 'checks' },
      h('legend', {}, 'Besides administering'),
      checkbox('Also charts as nurse', roles.nurse),
      checkbox('Also charts as physician', roles.physician)),
    h('div', { class: 'form-actions' }, submit, notes.node));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const created = await save(submit, notes, () => setup({
      username: inputs.username.value.trim(),
      display_name: inputs.name.value.trim(),
      password: inputs.password.value,
      password_confirm: inputs.confirm.value,
      roles: ['admin', ...checkedRoles(roles)],
    }));
    if (created) onCreated(created);
  });

  root.replaceChildren(h('div', { class: 'auth' },
    h('h1', { id: 'setup-heading' }, 'Set up Infusion Chart'),
    h('p', {}, 'Create the administrator account. The administrator adds the nurses and physicians who chart here.'),
    form));
  inputs.username.focus();
}
