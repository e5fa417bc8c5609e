// The lock screen: nothing of the chart behind it, only who locked it and a way back in.

import { field, h } from '../lib/dom.js';
import { notices, save } from '../lib/save.js';
import { unlock } from '../shell/api.js';

/** `lockedBy` is the user whose screen is locked (may be null); `onUnlocked({status, same_user})` runs on success. */
export function renderLockScreen(root, lockedBy, onUnlocked) {
  const username = h('input', {
    id: 'unlock-username', type: 'text', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false',
    value: lockedBy?.username,
  });
  const password = h('input', { id: 'unlock-password', type: 'password', autocomplete: 'current-password' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Unlock');
  const notes = notices();
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'lock-heading' },
    lockedBy && h('p', { class: 'locked-by' }, `Locked by ${lockedBy.display_name}`),
    h('div', { class: 'fields stack' }, field('Username', username), field('Password', password)),
    h('div', { class: 'form-actions' }, submit, notes.node),
    h('p', { class: 'note' }, 'Another nurse or physician can unlock with their own username and password; '
      + 'what was on screen stays put away for the person who locked it.'));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const unlocked = await save(submit, notes, () => unlock(username.value.trim(), password.value));
    if (unlocked) {
      onUnlocked(unlocked);
      return;
    }
    password.value = '';
    password.focus();
  });

  root.replaceChildren(h('div', { class: 'auth' }, h('h1', { id: 'lock-heading' }, 'Screen locked'), form));
  (username.value ? password : username).focus();
}
