// First run: the administrator account, created before anything else can happen; or, on a laptop
// for a clinic that already shares a clinic server, joining it (the record is pulled from there).

import { checkbox, field, h } from '../lib/dom.js';
import { checkedRoles } from '../lib/form.js';
import { notices, save } from '../lib/save.js';
import { joinAsNewLaptop, setup } from '../shell/api.js';

/**
 * `onCreated({status, recovery_key})` runs once the core has created the account; `onJoined(status)`
 * once this laptop has joined a clinic server and holds its record.
 */
export function renderSetup(root, onCreated, onJoined) {
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
    form,
    joinForm(onJoined)));
  inputs.username.focus();
}

/** A laptop of a clinic that shares a clinic server: the server, and any user's own password. */
function joinForm(onJoined) {
  const inputs = {
    url: h('input', { id: 'join-url', type: 'text', autocomplete: 'off', spellcheck: 'false' }),
    ca: h('textarea', { id: 'join-ca', rows: '4', spellcheck: 'false' }),
    username: h('input', { id: 'join-username', type: 'text', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' }),
    password: h('input', { id: 'join-password', type: 'password', autocomplete: 'current-password' }),
  };
  const submit = h('button', { type: 'submit' }, 'Join the clinic');
  const notes = notices();
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'join-heading' },
    h('h2', { id: 'join-heading' }, 'Or join your clinic\'s server'),
    h('p', {}, 'For a clinic whose laptops already share a clinic server: the server\'s admin enrols this laptop '
      + 'and gives you its address and the clinic\'s CA certificate. The clinic\'s record is then copied here, '
      + 'and everyone signs in with their own password.'),
    h('div', { class: 'fields stack' },
      field('Server address', inputs.url, 'as add-laptop printed it'),
      field('Clinic CA certificate', inputs.ca, 'the PEM text'),
      field('Your username', inputs.username),
      field('Your password', inputs.password)),
    h('div', { class: 'form-actions' }, submit, notes.node));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const joined = await save(submit, notes, () => {
      notes.working('Joining: copying the clinic\'s record to this laptop…');
      return joinAsNewLaptop(inputs.url.value.trim(), inputs.ca.value, inputs.username.value.trim(), inputs.password.value);
    });
    if (joined) onJoined(joined);
  });
  return form;
}
