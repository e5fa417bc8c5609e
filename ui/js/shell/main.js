// Start-up and the screen on show. The core's status decides between set-up, sign-in, the lock
// screen and the app; inside the app, one screen per location.hash. Each visit gets a fresh root
// element, so a slow answer for a screen already left lands in a detached element and is never seen.

import { h } from '../lib/dom.js';
import { localTime, restoredMessage } from '../lib/format.js';
import { renderAdmin } from '../screens/admin.js';
import { renderBackups } from '../screens/backups.js';
import { renderChangePassword } from '../screens/change-password.js';
import { renderDayList } from '../screens/day-list.js';
import { renderLockScreen } from '../screens/lock-screen.js';
import { renderPatient } from '../screens/patient.js';
import { renderPatients } from '../screens/patients.js';
import { renderProtocols } from '../screens/protocols.js';
import { renderRecoveryKey } from '../screens/recovery-key.js';
import { renderSetup } from '../screens/setup.js';
import { renderSignIn } from '../screens/signin.js';
import { renderSession } from '../session/session.js';
import * as api from './api.js';
import { armAutoLock, disarmAutoLock } from './auto-lock.js';
import { showBackupWarning } from './backup-warning.js';
import { showSharing } from './sharing.js';
import { initHeader, markCurrent, renderHeader, setBanner, showHeaderProblem } from './header.js';
import { discardAll, park, restore } from './parked-views.js';
import { canChart, hasRole, landingHash, setStatus, status } from './state.js';

const PASSWORD = '#/password';

// `allowed` only keeps people out of screens whose every command the core would refuse them.
const routes = [
  { pattern: /^#\/today$/, allowed: canChart, render: renderDayList },
  { pattern: /^#\/patients$/, allowed: canChart, render: renderPatients },
  { pattern: /^#\/protocols$/, allowed: () => hasRole('admin') || hasRole('physician'), render: renderProtocols },
  { pattern: /^#\/patient\/([^/]+)$/, allowed: canChart, render: renderPatient },
  { pattern: /^#\/session\/([^/]+)$/, allowed: canChart, render: renderSession },
  { pattern: /^#\/admin$/, allowed: () => hasRole('admin'), render: renderAdmin },
  { pattern: /^#\/backups$/, allowed: () => hasRole('admin'), render: (root) => renderBackups(root, { onRestored: signInAfterRestore }) },
  { pattern: /^#\/password$/, allowed: () => true, render: renderPassword },
];

const view = document.getElementById('view');
let inApp = false; // true while <main> shows a signed-in user's screen (not sign-in, set-up or lock)
let restoredNotice = null; // what the last restore did, said on the sign-in screen

// IDs reach the hash as text; the core's are numbers (SQLite rowids), so digits go back as a number.
function toId(text) {
  const id = decodeURIComponent(text);
  return /^\d+$/.test(id) ? Number(id) : id;
}

function route() {
  if (!inApp) return;
  const forced = status().must_change_password;
  const found = routes.find(({ pattern }) => pattern.test(location.hash));
  if (!found || !found.allowed() || (forced && location.hash !== PASSWORD)) {
    location.replace(forced ? PASSWORD : landingHash());
    return;
  }
  const root = document.createElement('div');
  view.replaceChildren(root);
  setBanner(null);
  markCurrent(location.hash);
  found.render(root, ...found.pattern.exec(location.hash).slice(1).map(toId));
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function renderPassword(root) {
  const forced = status().must_change_password;
  renderChangePassword(root, {
    forced,
    // Once the temporary password is replaced, the rest of the app opens.
    onChanged: (next) => {
      if (forced) {
        show(next);
        return;
      }
      setStatus(next);
      showBackupWarning(next);
    },
  });
}

// A restore signs everyone out, and nothing of the screens before it is kept (they showed the
// database it replaced). Sign-in says what was restored and where the replaced database is, until
// someone signs in, however the app gets there (a refused command may have sent it already).
function signInAfterRestore(restored) {
  restoredNotice = restoredMessage(restored);
  inApp = false;
  disarmAutoLock();
  refresh();
}

/**
 * Shows what the core's status calls for. `sameUser`: the core says nobody else was signed in
 * since this user's screen was put away (an unlock by the one who locked).
 */
function show(next, sameUser = false) {
  setStatus(next);
  if (next.state !== 'signed_out') restoredNotice = null;
  switch (next.state) {
    case 'setup':
      return screen(renderSetup, (created) => screen(renderRecoveryKey, created.recovery_key, refresh), show);
    case 'signed_out':
      discardAll();
      return screen(renderSignIn, show, restoredNotice);
    case 'locked':
      return screen(renderLockScreen, next.user, unlocked);
    default:
      return openApp(sameUser);
  }
}

const unlocked = (result) => show(result.status, result.same_user);

/** A screen outside the app (set-up, sign-in, lock): the header shows only the app's name. */
function screen(render, ...args) {
  inApp = false;
  disarmAutoLock();
  renderHeader(null);
  showBackupWarning(null);
  showSharing(null);
  const root = document.createElement('div');
  view.replaceChildren(root);
  setBanner(null);
  render(root, ...args);
}

/** The signed-in user's screen: theirs as they left it if they locked it, else where they start. */
function openApp(sameUser) {
  const wasInApp = inApp;
  const { user, must_change_password: forced } = status();
  inApp = true;
  renderHeader(status());
  showBackupWarning(status());
  showSharing(status());
  armAutoLock(lockApp);
  const parkedAt = !forced && !wasInApp ? restore(user.id) : null;
  if (!parkedAt) {
    go(forced ? PASSWORD : landingHash());
    return;
  }
  markCurrent(location.hash);
  if (!sameUser) view.prepend(staleNotice(parkedAt));
}

// Someone else worked in the meantime, and what they charted or signed is not on the kept screen.
function staleNotice(parkedAt) {
  const reload = h('button', { type: 'button', class: 'secondary small' }, 'Reload this screen');
  reload.addEventListener('click', route);
  return h('div', { class: 'stale', role: 'status' },
    h('p', {}, `This screen is as you left it at ${localTime(parkedAt)}. Someone else has used Infusion Chart since, `
      + 'so it may not show their changes. Reload it before relying on it; entries not yet saved are then cleared.'),
    reload);
}

/** Takes the user's screen out of the document, kept for them alone until they unlock or sign in. */
function leaveApp() {
  if (!inApp) return;
  park(status().user.id);
  inApp = false;
  disarmAutoLock();
  renderHeader(null);
}

async function refresh() {
  try {
    show(await api.appStatus());
  } catch (error) {
    view.replaceChildren(h('p', { role: 'alert', class: 'error' }, error.message));
  }
}

// The Lock button and the idle timer. The screen goes first, so nothing stays readable while the
// core is asked; if the core cannot lock, the screen stays locked all the same.
async function lockApp() {
  if (!inApp) return;
  const user = status().user;
  leaveApp();
  try {
    show(await api.lock());
  } catch (error) {
    if (error.kind === 'locked' || error.kind === 'unauthenticated') {
      refresh();
      return;
    }
    screen(renderLockScreen, user, unlocked);
    showHeaderProblem(error.message);
  }
}

// Signing out closes the database; the screen on show goes with it.
async function signOut() {
  try {
    show(await api.logout());
  } catch (error) {
    if (error.kind !== 'locked' && error.kind !== 'unauthenticated') showHeaderProblem(error.message);
  }
}

// Any command refused because the core locked itself (idle, or locked elsewhere) or has nobody
// signed in: put the screen away first, then show what the core says now.
api.whenAccessLost(() => {
  if (!inApp) return;
  leaveApp();
  refresh();
});

initHeader({ onLock: lockApp, onSignOut: signOut });
window.addEventListener('hashchange', route);
refresh();
