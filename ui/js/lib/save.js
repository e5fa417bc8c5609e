// Saving a form: the status and error lines beside its button, and sending its one write to the core.

import { h } from './dom.js';
import { cameBack } from './lifecycle.js';

/**
 * The status line ("saved", or a neutral "working…" while the core works) and error line that sit
 * beside a form's button.
 */
export function notices() {
  const status = h('p', { role: 'status', class: 'saved' });
  const node = h('div', { class: 'notices' }, status);
  let alert = null;
  const say = (kind, text) => {
    status.className = kind;
    status.textContent = text;
  };
  return {
    node,
    clear() {
      say('saved', '');
      alert?.remove();
      alert = null;
    },
    saved(text) {
      say('saved', text);
    },
    /** What is under way ("Backing up…"), in a neutral style until `saved` or `clear` replaces it. */
    working(text) {
      say('working', text);
    },
    // A fresh role="alert" element is announced reliably by screen readers; an edited one may not be.
    error(message) {
      alert?.remove();
      alert = h('p', { role: 'alert', class: 'error' }, message);
      node.append(alert);
    },
  };
}

/**
 * Sends one write to the core. The button stays disabled until the core answers, so a double press
 * cannot chart twice. Resolves with the core's answer, or null once its message is shown.
 */
export async function save(button, notes, request) {
  const focused = document.activeElement;
  notes.clear();
  button.disabled = true;
  try {
    return await request();
  } catch (error) {
    // Never resent by itself: the person checks what they typed and saves again.
    if (await cameBack(button, error)) notes.error('Not saved: the screen locked first. Check the entries and save again.');
    else notes.error(error.message);
    return null;
  } finally {
    button.disabled = false;
    // Disabling a focused button drops focus to the page; give it back so the keyboard flow goes on.
    if (document.activeElement === document.body) focused?.focus();
  }
}
