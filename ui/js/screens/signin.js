// Sign in: username and password unlock the database for this user. When every password is lost,
// the recovery key printed at set-up opens it instead and sets a new password. When the database
// turns out to be damaged, an admin's username and password restore the newest backup from here.

import { field, h } from '../lib/dom.js';
import { restoredMessage } from '../lib/format.js';
import { notices, save } from '../lib/save.js';
import { login, recover, restoreNewest } from '../shell/api.js';

/**
 * `onSignedIn(status)` runs with the core's status once the password (or recovery key) is accepted.
 * `message`: what just happened, said beside the button (a restore, which signed everyone out).
 */
export function renderSignIn(root, onSignedIn, message = null) {
  const username = h('input', { id: 'signin-username', type: 'text', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { id: 'signin-password', type: 'password', autocomplete: 'current-password' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const useKey = h('button', { type: 'button', class: 'link-button' }, 'Every password lost? Use the recovery key');
  const notes = notices();
  const restore = restoreOffer(username, password, notes);
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'signin-heading' },
    h('div', { class: 'fields stack' }, field('Username', username), field('Password', password)),
    h('div', { class: 'form-actions' }, submit, notes.node),
    restore.node);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    restore.hide();
    let damaged = false;
    const status = await save(submit, notes, () => login(username.value.trim(), password.value).catch((error) => {
      damaged = error.kind === 'damaged';
      throw error;
    }));
    if (status) {
      onSignedIn(status);
      return;
    }
    // The restore below takes the same username and password, so a damaged database keeps them.
    if (damaged) {
      restore.show();
      return;
    }
    password.value = '';
    (username.value ? password : username).focus();
  });
  useKey.addEventListener('click', () => renderRecover(root, onSignedIn));

  root.replaceChildren(h('div', { class: 'auth' }, h('h1', { id: 'signin-heading' }, 'Sign in'), form, useKey));
  if (message) notes.saved(message);
  username.focus();
}

/**
 * Offered when sign-in finds the database damaged (the core's message says so): the newest backup
 * that passes every check is restored, if the username and password typed are an admin's in it.
 */
function restoreOffer(username, password, notes) {
  const button = h('button', { type: 'button', class: 'secondary' }, 'Restore the newest backup');
  const node = h('div', { class: 'confirm restore-offer', role: 'group', 'aria-labelledby': 'restore-offer-explain', hidden: true },
    h('p', { id: 'restore-offer-explain' }, 'An admin can restore the newest backup that passes its checks, with the '
      + 'username and password typed above. The damaged database is kept aside, not deleted.'),
    h('div', { class: 'form-actions' }, button));
  button.addEventListener('click', async () => {
    const restored = await save(button, notes, () => restoreNewest(username.value.trim(), password.value));
    if (!restored) return;
    node.hidden = true;
    password.value = '';
    notes.saved(restoredMessage(restored));
    password.focus();
  });
  return {
    node,
    show() {
      node.hidden = false;
      button.focus();
    },
    hide() {
      node.hidden = true;
    },
  };
}

function renderRecover(root, onSignedIn) {
  const key = h('input', { id: 'recover-key', type: 'text', autocomplete: 'off', spellcheck: 'false', class: 'mono' });
  const username = h('input', { id: 'recover-username', type: 'text', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { id: 'recover-password', type: 'password', autocomplete: 'new-password' });
  const confirm = h('input', { id: 'recover-confirm', type: 'password', autocomplete: 'new-password' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Recover access');
  const back = h('button', { type: 'button', class: 'secondary' }, 'Back to sign in');
  const notes = notices();
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'recover-heading' },
    h('p', {}, 'Type the recovery key printed at set-up, the username of an active account, and a new password for it.'),
    h('div', { class: 'fields stack' },
      field('Recovery key', key), field('Username', username), field('New password', password), field('Confirm new password', confirm)),
    h('div', { class: 'form-actions' }, submit, back, notes.node));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = await save(submit, notes, () => recover({
      recovery_key: key.value,
      username: username.value.trim(),
      new_password: password.value,
      new_password_confirm: confirm.value,
    }));
    if (status) onSignedIn(status);
  });
  back.addEventListener('click', () => renderSignIn(root, onSignedIn));

  root.replaceChildren(h('div', { class: 'auth' }, h('h1', { id: 'recover-heading' }, 'Recover access'), form));
  key.focus();
}
