// The bar at the top: the app's name and, while someone is signed in, where they may go, who they
// are, and how to lock the screen or sign out; under it, whose chart is open.

import { patientLine } from '../lib/display.js';
import { h } from '../lib/dom.js';
import { userLine } from '../lib/format.js';
import { canChart, hasRole } from './state.js';

const bar = document.querySelector('.app-bar');
const nav = document.getElementById('main-nav');
const account = document.getElementById('account');
const banner = document.getElementById('patient-banner');
let actions = null;
let problem = null;

/** `onLock` and `onSignOut` are what the Lock and Sign out buttons do. */
export function initHeader(handlers) {
  actions = handlers;
}

/** The signed-in header for `status`, or, with null, the name alone (sign-in, lock and set-up screens). */
export function renderHeader(status) {
  showHeaderProblem(null);
  const user = status?.user;
  nav.hidden = !user;
  account.hidden = !user;
  if (!user) {
    nav.replaceChildren();
    account.replaceChildren();
    return;
  }
  // Until a temporary password is changed the core refuses everything else, so offer nothing else.
  const free = !status.must_change_password;
  nav.replaceChildren(
    ...[free && canChart() && h('a', { href: '#/today' }, 'Today'),
      free && canChart() && h('a', { href: '#/patients' }, 'Patients'),
      free && (hasRole('admin') || hasRole('physician')) && h('a', { href: '#/protocols' }, 'Protocols'),
      free && hasRole('admin') && h('a', { href: '#/admin' }, 'Admin'),
      free && hasRole('admin') && h('a', { href: '#/backups' }, 'Backups')].filter(Boolean));

  const lock = h('button', { type: 'button' }, 'Lock');
  const signOut = h('button', { type: 'button' }, 'Sign out');
  lock.addEventListener('click', actions.onLock);
  signOut.addEventListener('click', actions.onSignOut);
  account.replaceChildren(
    ...[h('span', { class: 'who' }, userLine(user)),
      free && h('a', { href: '#/password' }, 'Change password'),
      lock,
      signOut].filter(Boolean));
}

/** Marks the header link of the screen on show (patients covers a patient's and a session's screens). */
export function markCurrent(hash) {
  const own = ['#/admin', '#/backups', '#/password', '#/today', '#/protocols'];
  const section = own.includes(hash) ? hash : '#/patients';
  for (const link of bar.querySelectorAll('a')) {
    if (link.getAttribute('href') === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

/** A failed Lock or Sign out, said under the bar (null clears it). */
export function showHeaderProblem(message) {
  problem?.remove();
  problem = message ? h('p', { role: 'alert', class: 'error header-problem' }, message) : null;
  if (problem) bar.append(problem);
}

/** Shows whose chart is open in the header bar; null hides it. */
export function setBanner(patient) {
  banner.replaceChildren(...(patient ? patientLine(patient) : []));
  banner.hidden = !patient;
}
