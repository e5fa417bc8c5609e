// The recovery key, shown once after set-up: the only way into the database if every password is lost.

import { h } from '../lib/dom.js';

export function renderRecoveryKey(root, recoveryKey, onStored) {
  const heading = h('h1', { id: 'recovery-heading', tabindex: '-1' }, 'Recovery key');
  const done = h('button', { type: 'button', class: 'primary' }, 'I have stored the recovery key');
  done.addEventListener('click', onStored);

  root.replaceChildren(h('div', { class: 'auth wide' },
    heading,
    h('section', { class: 'panel', 'aria-labelledby': 'recovery-heading' },
      h('p', { class: 'warning' }, 'Print this key, or copy it exactly onto paper, and lock it away. It is shown only once.'),
      h('p', { class: 'recovery-key' }, recoveryKey),
      h('p', {}, 'If every password is lost, this key is the only way to open the database and the charts in it. '
        + 'Keep it where only the clinic’s responsible people can reach it, never on this computer.'),
      h('div', { class: 'form-actions' }, done))));
  heading.focus();
}
