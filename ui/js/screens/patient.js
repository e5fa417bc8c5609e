// Patient screen: the patient's details and flags (editable), the sessions with how far each is
// signed and the form that starts today's, and the outcome trends across the series with the form
// for a follow-up score (24 hours or 1 week after a session, signed or not).

import { statusBadge } from '../lib/display.js';
import { field, h } from '../lib/dom.js';
import { checkTyped } from '../lib/form.js';
import { localTime, patientName, SESSION_STATUS, todayLocal } from '../lib/format.js';
import { load } from '../lib/lifecycle.js';
import { sessionHref } from '../lib/links.js';
import { labelOf, lists } from '../lib/lists.js';
import { patientFields, readPatient } from '../lib/patient-fields.js';
import { reportActions } from '../lib/report-actions.js';
import { notices, save } from '../lib/save.js';
import { FOLLOW_UPS, outcomeForm } from '../session/sections/outcomes.js';
import { getPatient, updatePatient } from '../shell/api.js';
import { setBanner } from '../shell/header.js';
import { renderStartSession } from './start-session.js';

export async function renderPatient(root, patientId) {
  const loaded = await load(root, () => Promise.all([getPatient(patientId), lists()]));
  if (loaded) showPatient(root, ...loaded);
}

/** Draws the screen from the core's answer; `savedText` after the details were saved and redrawn. */
async function showPatient(root, data, reference, savedText = null) {
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
      h('span', { class: 'meta' }, ` · started ${localTime(session.started_at)}`, session.laptop && ` on laptop ${session.laptop}`),
      statusBadge(session.status),
      session.session_date === today && h('span', { class: 'badge' }, 'Today'))));

  // Saved details change the banner, the flags and the recorded weight the start form offers: redraw all.
  const details = detailsPanel(patient, reference, (saved) =>
    showPatient(root, { ...data, patient: saved }, reference, `Details of ${patientName(saved)} saved`));
  if (savedText) details.notes.saved(savedText);

  root.replaceChildren(
    h('h1', {}, patientName(patient)),
    reportActions({ patient_id: patient.id }, 'series report', `series-${patient.mrn}.pdf`),
    details.node,
    h('div', { class: 'panel' },
      start ?? h('p', { class: 'note' }, "Today's session has already been started. Open it from the list below."),
      h('h2', { id: 'sessions-heading' }, 'All sessions'),
      list),
    outcomesPanel(data, reference));
  if (savedText) details.focus();
  if (start) {
    await renderStartSession(start, patient, (session) => { location.hash = sessionHref(session.id); });
    if (!savedText) start.querySelector('select')?.focus();
  } else if (!savedText) {
    root.querySelector('.link-list a')?.focus();
  }
}

/** Details and flags as read-only lines, with "Edit details" opening the same fields as "New patient". */
function detailsPanel(patient, reference, onSaved) {
  const notes = notices();
  const edit = h('button', { type: 'button', class: 'secondary small' }, 'Edit details');
  const body = h('div');
  const showSummary = () => {
    body.replaceChildren(detailsList(patient, reference), notes.node);
    edit.hidden = false;
  };
  edit.addEventListener('click', () => {
    notes.clear();
    const form = editForm(patient, reference, onSaved, () => {
      showSummary();
      edit.focus();
    });
    edit.hidden = true;
    body.replaceChildren(form.node);
    form.first.focus();
  });
  showSummary();
  return {
    notes,
    focus: () => edit.focus(),
    node: h('section', { class: 'panel', 'aria-labelledby': 'details-heading' },
      h('div', { class: 'section-head' }, h('h2', { id: 'details-heading' }, 'Details'), edit),
      flagList(patient.flags),
      body),
  };
}

/** The flags every session shows (contraindications, flagged medications, allergies), as warnings. */
function flagList(flags) {
  if (flags.length === 0) {
    return h('p', { class: 'meta' }, 'No flags: no contraindications, flagged medications or allergies recorded.');
  }
  return h('ul', { class: 'patient-flags', 'aria-label': 'Flags' },
    flags.map((flag) => h('li', { class: 'warning' }, flag)));
}

function detailsList(patient, reference) {
  const notRecorded = (value) => value || h('span', { class: 'meta' }, 'Not recorded');
  const indication = patient.indication === 'other'
    ? `${labelOf(reference.indications, 'other')}: ${patient.indication_other}`
    : labelOf(reference.indications, patient.indication);
  const rows = [
    ['Sex', labelOf(reference.sexes, patient.sex)],
    ['Height', notRecorded(patient.height_cm != null && `${patient.height_cm} cm`)],
    ['Allergies', patient.allergies],
    ['Indication', indication],
    ['Emergency contact', notRecorded(patient.emergency_contact)],
    ['Usual escort', notRecorded(patient.escort)],
  ];
  return h('dl', { class: 'details-list' },
    rows.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))));
}

/** The patient fields filled from the record; the core keeps the old values in the audit trail. */
function editForm(patient, reference, onSaved, onCancel) {
  const fields = patientFields(reference, 'pe-', patient);
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save details');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const notes = notices();
  const form = h('form', { novalidate: true, 'aria-labelledby': 'details-heading' },
    fields.nodes,
    h('div', { class: 'form-actions' }, submit, cancel, notes.node));
  cancel.addEventListener('click', onCancel);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const saved = await save(submit, notes, () => updatePatient(patient.id, readPatient(fields)));
    if (saved) onSaved(saved);
  });
  return { node: form, first: fields.first };
}

/** The trend on each scale the patient has scores on, and the follow-up score form. */
function outcomesPanel({ patient, sessions, outcomes }, reference) {
  const trends = h('div', {}, trendTables(outcomes, reference));
  // A new score changes the trends; the form stays as it is, with the saved total and any warning.
  const refreshTrends = async () => {
    try {
      trends.replaceChildren(...trendTables((await getPatient(patient.id)).outcomes, reference));
    } catch (error) {
      trends.append(h('p', { role: 'alert', class: 'error' }, `The outcomes could not be refreshed: ${error.message}`));
    }
  };
  return h('section', { class: 'panel', 'aria-labelledby': 'patient-outcomes-heading' },
    h('h2', { id: 'patient-outcomes-heading' }, 'Outcomes'),
    trends,
    sessions.length > 0 && followUp(sessions, reference, refreshTrends));
}

function trendTables(trends, reference) {
  if (trends.length === 0) return [h('p', { class: 'empty' }, 'No outcome scores yet.')];
  return trends.map((trend) => h('div', { class: 'trend' },
    h('table', { class: 'data-table trend-table' },
      h('caption', {}, trend.label),
      h('thead', {}, h('tr', {},
        ['Session', 'When taken', 'Total', 'Severity'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, trend.points.map((point) => h('tr', {},
        h('td', {}, point.session_date),
        h('td', {}, labelOf(reference.timepoints, point.timepoint)),
        h('td', { class: 'number' }, String(point.total)),
        h('td', {}, point.severity, point.warning && h('p', { class: 'warning safety' }, point.warning)))))),
    h('p', { class: 'trend-status' }, h('strong', {}, trend.status))));
}

/**
 * A 24-hour or 1-week score for a session the nurse picks (no default: a score put on the wrong
 * session would skew the trend). Signed sessions take them too.
 */
function followUp(sessions, reference, onSaved) {
  const session = h('select', { id: 'follow-up-session' },
    h('option', { value: '' }, 'Choose…'),
    sessions.map((s) => h('option', { value: s.id }, `Session ${s.session_date} (${SESSION_STATUS[s.status]})`)));
  const slot = h('div');
  session.addEventListener('change', () => {
    const chosen = sessions.find((s) => String(s.id) === session.value);
    slot.replaceChildren();
    if (chosen) {
      slot.append(outcomeForm({
        sessionId: chosen.id,
        lists: reference,
        timepoints: FOLLOW_UPS,
        onSaved,
      }));
    }
  });
  return h('div', { class: 'subsection' },
    h('h3', {}, 'Follow-up score (24 hours or 1 week after)'),
    h('div', { class: 'fields' }, field('Session', session)),
    slot);
}
