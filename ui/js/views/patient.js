// Patient screen: the patient's sessions with how far each is signed, and the button that starts today's.

import { getPatient, startSession } from '../api.js';
import { h } from '../dom.js';
import { localTime, todayLocal } from '../format.js';
import { load, notices, save, sessionHref, setBanner, statusBadge } from './common.js';

export async function renderPatient(root, patientId) {
  const data = await load(root, () => getPatient(patientId));
  if (!data) return;
  const { patient, sessions } = data;
  setBanner(patient);

  // The core allows one session per patient per day; don't offer a button it would refuse.
  const today = todayLocal();
  const hasToday = sessions.some((session) => session.session_date === today);
  const notes = notices();
  let start = null;
  if (!hasToday) {
    start = h('button', { type: 'button', class: 'primary' }, "Start today's session");
    start.addEventListener('click', async () => {
      const session = await save(start, notes, () => startSession(patient.id));
      if (session) location.hash = sessionHref(session.id);
    });
  }

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
      start
        ? h('div', { class: 'form-actions' }, start, notes.node)
        : h('p', { class: 'note' }, "Today's session has already been started. Open it from the list below."),
      h('h2', { id: 'sessions-heading' }, 'All sessions'),
      list));
  (start ?? root.querySelector('.link-list a'))?.focus();
}
