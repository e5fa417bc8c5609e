// Session screen: charting vitals while the session is open; signatures and addenda once signed.

import { addVitals, getSession } from '../api.js';
import { h } from '../dom.js';
import { localTime } from '../format.js';
import { whenRestored } from '../parked-views.js';
import { addendaSection } from './addenda.js';
import { alertsSection } from './alerts.js';
import { infusionSection } from './infusion.js';
import { notesSection } from './notes.js';
import { checkTyped, load, notices, patientHref, save, setBanner, statusBadge } from './common.js';
import { flowsheet } from './flowsheet.js';
import { signaturesSection } from './signing.js';
import { readVitals, vitalsFields } from './vitals-form.js';

// How often an untouched clinical time is moved on to the current minute.
const CLOCK_TICK_MS = 10_000;

export async function renderSession(root, sessionId) {
  const record = await load(root, () => getSession(sessionId));
  if (record) showSession(root, record);
}

/** Draws the screen from the core's SessionRecord; after signing, again from the record the core returns. */
function showSession(root, record, signed = null) {
  const { session, patient } = record;
  setBanner(patient);
  const open = session.status === 'open';

  // While a correction is open, its form stands in for the entry form, so that each vitals label
  // on the page names one field and nothing is charted into the wrong one.
  const entrySlot = h('div');
  const sheet = flowsheet(record, {
    editable: open,
    onCorrecting: (vitals) => entrySlot.replaceChildren(vitals ? pausedNote(vitals) : entry.form),
  });
  // Alerts raised by a new reading appear as soon as it is charted, without redrawing the form.
  const alertsSlot = h('div');
  const dueSlot = h('div');
  const refresh = (next) => {
    alertsSlot.replaceChildren(alertsSection(next, (acknowledged) => showSession(root, acknowledged)) ?? '');
    dueSlot.replaceChildren(vitalsDue(next) ?? '');
  };
  refresh(record);
  const entry = open ? entryForm(session, entrySlot, sheet, refresh) : null;
  entrySlot.append(entry
    ? entry.form
    : h('p', { class: 'panel note locked-note' }, 'This session is signed and locked. Corrections are added as addenda.'));
  const signatures = signaturesSection(record, (next, done) => showSession(root, next, done));

  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', {}, `Session ${session.session_date}`), statusBadge(session.status)),
    h('p', { class: 'meta' },
      `Started ${localTime(session.started_at)} · `,
      h('a', { href: patientHref(patient.id) }, 'All sessions for this patient')),
    alertsSlot,
    doseSummary(session.dose),
    dueSlot,
    infusionSection(record, refresh),
    entrySlot,
    sheet.node,
    notesSection(record),
    signatures.node,
    addendaSection(record));
  if (signed) signatures.announce(signed);
  else entry?.time.focus();
}

/**
 * When the next vitals are due, counting down each tick from the core's due time; overdue and the
 * 40-minute check (where BP typically peaks) stand out.
 */
function vitalsDue({ cadence, session }) {
  if (!cadence.next_due || session.status !== 'open') return null;
  const line = h('p', { class: 'vitals-due', 'aria-live': 'polite' });
  const forty = cadence.forty_minute_check_due
    && h('p', { class: 'warning' }, '40-minute check: take vitals now (BP typically peaks around 40 minutes).');
  const node = h('section', { class: 'panel due' }, line, forty);
  const tick = () => {
    const minutes = Math.round((new Date(cadence.next_due) - new Date()) / 60000);
    const overdue = minutes < 0;
    line.textContent = overdue
      ? `Vitals overdue by ${-minutes} min (due ${localTime(cadence.next_due)})`
      : `Next vitals due at ${localTime(cadence.next_due)} (in ${minutes} min)`;
    node.classList.toggle('overdue', overdue);
  };
  tick();
  keepTicking(node, tick);
  return node;
}

/** The protocol and dose the session was started with, with the arithmetic the nurse checked. */
function doseSummary(dose) {
  if (!dose) return null;
  const { plan } = dose;
  return h('section', { class: 'panel dose-summary', 'aria-labelledby': 'dose-heading' },
    h('h2', { id: 'dose-heading' }, dose.protocol_name),
    h('p', { class: 'dose-figures' },
      `${plan.total_mg} mg · ${plan.volume_ml} mL at ${plan.rate_ml_per_h} mL/h over ${plan.duration_min} min · `
      + `${plan.weight_kg} kg (${plan.weight_lb} lb)`),
    h('ol', { class: 'arithmetic' }, plan.arithmetic.map((line) => h('li', {}, line))),
    dose.override_reason && h('p', { class: 'warning' },
      `Above the soft limit, confirmed by ${dose.override_by}: ${dose.override_reason}`));
}

function pausedNote(vitals) {
  return h('p', { class: 'panel note' },
    `Charting is paused while you correct the ${localTime(vitals.clinical_time)} reading. `
    + 'Save or cancel the correction to chart new vitals.');
}

function entryForm(session, slot, sheet, refresh) {
  const vitals = vitalsFields();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Chart vitals');
  const notes = notices();
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'vitals-heading' },
    h('h2', { id: 'vitals-heading' }, 'Chart vitals'),
    vitals.node,
    h('div', { class: 'form-actions' }, submit, notes.node));

  // Until the nurse types a time, keep it at "now": an entry made long after the screen opened
  // (or after the previous entry) must not be charted at a stale time.
  let timeTyped = false;
  vitals.time.addEventListener('input', () => { timeTyped = true; });
  const tick = () => {
    if (!timeTyped && document.activeElement !== vitals.time) vitals.time.value = localTime();
  };
  keepTicking(slot, tick);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const reading = readVitals(vitals, session.session_date, notes);
    if (!reading) return;
    const saved = await save(submit, notes, () => addVitals({ session_id: session.id, ...reading }));
    if (!saved) return;

    notes.saved(`Vitals charted and saved at ${localTime(saved.recorded_at)}`);
    for (const { input } of vitals.readings) input.value = '';
    timeTyped = false;
    tick();
    vitals.readings[0].input.focus();
    // Redraw from the core's copy, so the table shows exactly what is stored, in its order.
    try {
      const next = await getSession(session.id);
      sheet.show(next.vitals);
      refresh(next);
    } catch (error) {
      notes.error(`The flowsheet could not be refreshed: ${error.message}`);
    }
  });
  return { form, time: vitals.time };
}

/**
 * Runs `tick` every CLOCK_TICK_MS while `slot` is on screen. Behind the lock screen it pauses and
 * picks up again when the screen comes back; once the screen is left or redrawn, it stops.
 */
function keepTicking(slot, tick) {
  const timer = setInterval(() => {
    if (slot.isConnected) {
      tick();
      return;
    }
    clearInterval(timer);
    whenRestored(slot).then(() => {
      tick();
      keepTicking(slot, tick);
    });
  }, CLOCK_TICK_MS);
}
