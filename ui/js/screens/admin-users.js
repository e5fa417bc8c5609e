// Users: who may sign in, and as what. Accounts are disabled, never deleted, so the audit trail
// always names a real person.

import { charCount } from '../lib/char-count.js';
import { checkbox, field, h } from '../lib/dom.js';
import { checkedRoles } from '../lib/form.js';
import { load } from '../lib/lifecycle.js';
import { notices, save } from '../lib/save.js';
import { addUser, listUsers, resetPassword, setUserActive, setUserRoles } from '../shell/api.js';

const ROLES = [['nurse', 'Nurse'], ['physician', 'Physician'], ['admin', 'Admin']];
const COLUMNS = ['Username', 'Name', 'Roles', 'Account', 'Must change password', 'Actions'];

export function usersSection() {
  const notes = notices();
  const body = h('div', { class: 'table-scroll' });
  const refresh = async () => {
    const users = await load(body, listUsers);
    if (users) body.replaceChildren(usersTable(users, notes));
  };
  refresh();
  return h('section', { class: 'panel', 'aria-labelledby': 'users-heading' },
    h('h2', { id: 'users-heading' }, 'Users'),
    notes.node,
    body,
    addUserForm(refresh));
}

function usersTable(users, notes) {
  let resetOpen = null; // the one open "Reset password" form row

  function closeReset() {
    resetOpen?.remove();
    resetOpen = null;
  }

  function row(user) {
    const nameId = `user-${user.id}-username`;
    const boxes = Object.fromEntries(ROLES.map(([role]) => [role,
      h('input', { id: `user-${user.id}-${role}`, type: 'checkbox', checked: user.roles.includes(role) })]));
    const button = (action, text) => h('button', { type: 'button', class: 'secondary small', 'data-action': action, 'aria-describedby': nameId }, text);
    const saveRoles = button('roles', 'Save roles');
    const toggle = button('active', user.active ? 'Disable' : 'Enable');
    const reset = button('reset', 'Reset password');
    const tr = h('tr', { 'data-user-id': user.id, class: user.active ? null : 'inactive' },
      h('th', { scope: 'row', id: nameId }, user.username),
      h('td', {}, user.display_name),
      h('td', {},
        // The username, unseen, makes each checkbox's label unique on the page and says whose role it is.
        h('div', { class: 'role-checks' }, ROLES.map(([role, label]) => checkbox([label, h('span', { class: 'visually-hidden' }, ` for ${user.username}`)], boxes[role]))),
        saveRoles),
      h('td', {}, user.active ? 'Active' : 'Disabled'),
      h('td', {}, user.must_change_password ? 'Yes' : 'No'),
      h('td', {}, h('div', { class: 'actions' }, toggle, reset)));

    const replace = (updated, action) => {
      closeReset();
      const fresh = row(updated);
      tr.replaceWith(fresh);
      fresh.querySelector(`[data-action="${action}"]`).focus();
      return fresh;
    };

    saveRoles.addEventListener('click', async () => {
      const updated = await save(saveRoles, notes, () => setUserRoles(user.id, checkedRoles(boxes)));
      if (!updated) return;
      replace(updated, 'roles');
      notes.saved(`Roles saved for ${updated.username}: ${updated.roles.join(', ')}`);
    });

    toggle.addEventListener('click', async () => {
      const updated = await save(toggle, notes, () => setUserActive(user.id, !user.active));
      if (!updated) return;
      const fresh = replace(updated, 'active');
      if (updated.active) {
        // A disabled account's password was removed, so it cannot sign in until it has a new one.
        notes.saved(`${updated.username} is enabled. Set a temporary password so they can sign in.`);
        fresh.querySelector('[data-action="reset"]').click();
      } else {
        notes.saved(`${updated.username} is disabled. The account and its history stay; its password no longer opens anything.`);
      }
    });

    reset.addEventListener('click', () => {
      closeReset();
      resetOpen = resetRow(user, COLUMNS.length, {
        cancel: () => { closeReset(); reset.focus(); },
        done: (updated) => {
          replace(updated, 'reset');
          notes.saved(`Temporary password set for ${updated.username}. They choose their own at their next sign-in.`);
        },
      });
      tr.after(resetOpen);
      resetOpen.querySelector('input').focus();
    });
    return tr;
  }

  return h('table', { class: 'data-table' },
    h('caption', { class: 'visually-hidden' }, 'Users'),
    h('thead', {}, h('tr', {}, COLUMNS.map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, users.map(row)));
}

function resetRow(user, columnCount, { cancel, done }) {
  const password = h('input', { id: 'reset-password', type: 'text', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Set password');
  const close = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const notes = notices();
  const form = h('form', { class: 'inline-form', novalidate: true, 'aria-label': `Reset the password of ${user.username}` },
    h('div', { class: 'fields' }, field('New temporary password', password, `for ${user.username}`)),
    h('div', { class: 'form-actions' }, submit, close, notes.node));
  close.addEventListener('click', cancel);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const updated = await save(submit, notes, () => resetPassword(user.id, password.value));
    if (updated) done(updated);
  });
  return h('tr', { class: 'form-row' }, h('td', { colspan: columnCount }, form));
}

function addUserForm(onAdded) {
  const inputs = {
    username: h('input', { id: 'new-user-username', type: 'text', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' }),
    name: h('input', { id: 'new-user-name', type: 'text', autocomplete: 'off', spellcheck: 'false' }),
    password: h('input', { id: 'new-user-password', type: 'text', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' }),
  };
  const roles = Object.fromEntries(ROLES.map(([role]) => [role, h('input', { id: `new-user-${role}`, type: 'checkbox' })]));
  const counts = [charCount(inputs.username, 'username'), charCount(inputs.name, 'display_name')];
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add user');
  const notes = notices();
  const form = h('form', { class: 'subsection', novalidate: true, 'aria-labelledby': 'add-user-heading' },
    h('h3', { id: 'add-user-heading' }, 'Add user'),
    h('div', { class: 'fields' },
      field("New user's username", inputs.username, counts[0].node),
      field("New user's full name", inputs.name, counts[1].node),
      field('Temporary password', inputs.password, 'they change it at first sign-in')),
    h('fieldset', { class: 'checks' },
      h('legend', {}, 'Roles'),
      ROLES.map(([role, label]) => checkbox(label, roles[role]))),
    h('div', { class: 'form-actions' }, submit, notes.node));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const user = await save(submit, notes, () => addUser({
      username: inputs.username.value.trim(),
      display_name: inputs.name.value.trim(),
      password: inputs.password.value,
      roles: checkedRoles(roles),
    }));
    if (!user) return;
    notes.saved(`${user.display_name} (${user.username}) added. They choose their own password at first sign-in.`);
    form.reset();
    for (const count of counts) count.update();
    inputs.username.focus();
    onAdded();
  });
  return form;
}
