// Session screen: the vitals entry row and the flowsheet of everything charted so far.

import { addVitals, getSession } from '../api.js';
import { field, h } from '../dom.js';
import { clinicalInstant, localTime, reading } from '../format.js';
import { checkTyped, load, notices, numberOrNull, patientHref, save, setBanner } from './common.js';

const VITALS = [
  { key: 'sbp', id: 'vitals-sbp', label: 'Systolic BP (mmHg)' },
  { key: 'dbp', id: 'vitals-dbp', label: 'Diastolic BP (mmHg)' },
  { key: 'hr', id: 'vitals-hr', label: 'Heart rate (bpm)' },
  { key: 'spo2', id: 'vitals-spo2', label: 'SpO2 (%)' },
  { key: 'rr', id: 'vitals-rr', label: 'Respiratory rate (/min)' },
  { key: 'temp_c', id: 'vitals-temp', label: 'Temperature (°C)', step: '0.1', optional: true },
  { key: 'etco2', id: 'vitals-etco2', label: 'EtCO2 (mmHg)', optional: true },
];

const COLUMNS = ['Time', 'BP', 'MAP', 'HR', 'SpO2', 'RR', 'Temp', 'EtCO2', 'Entered'];

// How often an untouched clinical time is moved on to the current minute.
const CLOCK_TICK_MS = 10_000;

export async function renderSession(root, sessionId) {
  const data = await load(root, () => getSession(sessionId));
  if (!data) return;
  const { session, patient } = data;
  setBanner(patient);

  const time = h('input', { id: 'clinical-time', type: 'time', value: localTime(), placeholder: 'HH:MM' });
  const fields = VITALS.map((vital) => ({
    ...vital,
    input: h('input', {
      id: vital.id,
      type: 'number',
      step: vital.step ?? '1',
      inputmode: vital.step ? 'decimal' : 'numeric',
    }),
  }));
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Chart vitals');
  const notes = notices();
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'vitals-heading' },
    h('h2', { id: 'vitals-heading' }, 'Chart vitals'),
    h('div', { class: 'fields vitals-fields' },
      field('Clinical time', time),
      fields.map(({ label, input, optional }) => field(label, input, optional && 'optional'))),
    h('div', { class: 'form-actions' }, submit, notes.node));

  // Until the nurse types a time, keep it at "now": an entry made long after the screen opened
  // (or after the previous entry) must not be charted at a stale time.
  let timeTyped = false;
  time.addEventListener('input', () => { timeTyped = true; });
  const clock = setInterval(() => {
    if (!root.isConnected) clearInterval(clock);
    else if (!timeTyped && document.activeElement !== time) time.value = localTime();
  }, CLOCK_TICK_MS);

  const rows = h('tbody');
  showVitals(rows, data.vitals);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const clinicalTime = clinicalInstant(session.session_date, time.value);
    if (!clinicalTime) {
      notes.clear();
      notes.error('Enter the clinical time as HH:MM (24-hour clock).');
      time.focus();
      return;
    }
    const vitals = await save(submit, notes, () => addVitals({
      session_id: session.id,
      clinical_time: clinicalTime,
      ...Object.fromEntries(fields.map(({ key, input }) => [key, numberOrNull(input)])),
    }));
    if (!vitals) return;

    notes.saved(`Vitals charted and saved at ${localTime(vitals.recorded_at)}`);
    for (const { input } of fields) input.value = '';
    timeTyped = false;
    time.value = localTime();
    fields[0].input.focus();
    // Redraw from the core's copy, so the table shows exactly what is stored, in its order.
    try {
      showVitals(rows, (await getSession(session.id)).vitals);
    } catch (error) {
      notes.error(`The flowsheet could not be refreshed: ${error.message}`);
    }
  });

  root.replaceChildren(
    h('h1', {}, `Session ${session.session_date}`),
    h('p', { class: 'meta' },
      `Started ${localTime(session.started_at)} · `,
      h('a', { href: patientHref(patient.id) }, 'All sessions for this patient')),
    form,
    h('table', { class: 'flowsheet' },
      h('caption', {}, 'Vitals flowsheet'),
      h('thead', {}, h('tr', {}, COLUMNS.map((name) => h('th', { scope: 'col' }, name)))),
      rows));
  time.focus();
}

function showVitals(rows, vitals) {
  if (vitals.length === 0) {
    rows.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: COLUMNS.length }, 'No vitals charted yet')));
    return;
  }
  rows.replaceChildren(...vitals.map((v) => h('tr', { 'data-vitals-id': v.id },
    h('th', { scope: 'row' }, localTime(v.clinical_time)),
    h('td', {}, `${v.sbp}/${v.dbp}`),
    h('td', {}, reading(v.map, 0)),
    h('td', {}, reading(v.hr)),
    h('td', {}, reading(v.spo2)),
    h('td', {}, reading(v.rr)),
    h('td', {}, reading(v.temp_c, 1)),
    h('td', {}, reading(v.etco2)),
    h('td', { class: 'entered' }, localTime(v.recorded_at)))));
}
