// The stale-backup warning under the header bar: the core's words (`Status.backup_warning`), on every
// screen while someone is signed in and the screen is unlocked. Admins get a link to the Backups screen.

import { h } from '../lib/dom.js';
import { appStatus } from './api.js';
import { hasRole } from './state.js';

const strip = document.getElementById('backup-warning');
let inApp = false; // true while a signed-in user's screen is on show (not sign-in, set-up or lock)
let drawn = ''; // what the strip shows, so an unchanged answer leaves it (and a link being clicked) alone

function draw(message, status) {
  const admin = Boolean(message) && hasRole('admin') && !status?.must_change_password;
  const key = JSON.stringify([message, admin]);
  if (key === drawn) return;
  drawn = key;
  strip.replaceChildren(...(message
    ? [h('span', {}, message), admin && h('a', { href: '#/backups' }, 'Go to Backups')].filter(Boolean)
    : []));
  strip.hidden = !message;
}

/** Follows the status the whole screen was just drawn for; any state but "ready" hides the strip. */
export function showBackupWarning(status) {
  inApp = status?.state === 'ready';
  draw(inApp ? status.backup_warning : null, status);
}

/**
 * A status read while the app stays on show (a `touch`): redraws the strip only if the app is still
 * there, so an answer landing after the screen was locked never puts it over the lock screen.
 */
export function updateBackupWarning(status) {
  if (inApp && status?.state === 'ready') draw(status.backup_warning, status);
}

/** Asks the core again after something that changes the answer: a backup, or the clinic's backup settings. */
export function recheckBackupWarning() {
  // A failure only leaves the strip as it was; the next touch (within 30 s of activity) redraws it.
  appStatus().then(updateBackupWarning, () => {});
}
