// Patient screen: the patient's sessions with how far each is signed, and the form that starts today's.

import { getPatient } from '../api.js';
import { h } from '../dom.js';
import { localTime, todayLocal } from '../format.js';
import { load, sessionHref, setBanner, statusBadge } from './common.js';
import { renderStartSession } from './start-session.js';

export async function renderPatient(root, patientId) {
  const data = await load(root, () => getPatient(patientId));
  if (!data) return;
  const { patient, sessions } = data;
  setBanner(patient);

  // The core allows one session per patient per day; don't offer a button it would refuse.
  const today = todayLocal();
  const hasToday = sessions.some((session) => session.session_date === today);
  const start = hasToday ? null : h('div');

  const list = sessions.length === 0
    ? h('p', { class: 'empty' }, 'No sessions yet.')
    : h('ul', { class: 'link-list', 'aria-labelledby': 'sessions-heading' }, sessions.map((session) => h('li', {},
      h('a', { href: sessionHref(session.id) }, `Session ${session.session_date}`),
      h('span', { class: 'meta' }, ` · started ${localTime(session.started_at)}`),
      statusBadge(session.status),
      session.session_date === today && h('span', { class: 'badge' }, 'Today'))));

  root.replaceChildren(
    h('h1', {}, 'Sessions'),
    h('div', { class: 'panel' },
      start ?? h('p', { class: 'note' }, "Today's session has already been started. Open it from the list below."),
      h('h2', { id: 'sessions-heading' }, 'All sessions'),
      list));
  if (start) {
    await renderStartSession(start, patient, (session) => { location.hash = sessionHref(session.id); });
    start.querySelector('select')?.focus();
  } else {
    root.querySelector('.link-list a')?.focus();
  }
}
