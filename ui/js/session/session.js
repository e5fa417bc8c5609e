// Session screen: everything charted in one session, in the order a nurse works through it, with
// the figures that matter at a glance on top; read-only once signed, apart from addenda.

import { statusBadge } from '../lib/display.js';
import { h } from '../lib/dom.js';
import { checkTyped } from '../lib/form.js';
import { clinicNow, localTime, reading } from '../lib/format.js';
import { cameBack, load, repeatWhileShown } from '../lib/lifecycle.js';
import { patientHref } from '../lib/links.js';
import { lists } from '../lib/lists.js';
import { reportActions } from '../lib/report-actions.js';
import { notices, save } from '../lib/save.js';
import { addVitals, getSession, reviewInfusion } from '../shell/api.js';
import { setBanner } from '../shell/header.js';
import { addendaSection } from './sections/addenda.js';
import { arrivalSection } from './sections/arrival.js';
import { alertsSection } from './sections/alerts.js';
import { checklistSection, wasteSection } from './sections/checklist.js';
import { dischargeSection } from './sections/discharge.js';
import { flowsheet } from './sections/flowsheet.js';
import { infusionSection } from './sections/infusion.js';
import { notesSection } from './sections/notes.js';
import { outcomesSection } from './sections/outcomes.js';
import { sideEffectsSection } from './sections/side-effects.js';
import { signaturesSection } from './sections/signing.js';
import { registerShortcuts, shortcutsHelp } from './shortcuts.js';
import { readVitals, vitalsFields } from './vitals-fields.js';

// How often the figures counted from now are moved on.
const CLOCK_TICK_MS = 10_000;
// How often a running infusion is reviewed by the core (the alerts it has come to as time passes).
const REVIEW_TICK_MS = 30_000;
// How often a session charted on another laptop of the clinic is read again.
const SHARED_TICK_MS = 3_000;

export async function renderSession(root, sessionId) {
  const loaded = await load(root, () => Promise.all([getSession(sessionId), lists()]));
  if (loaded) showSession(root, ...loaded);
}

/**
 * Draws the screen from the core's SessionRecord; after signing, again from the record the core
 * returns. In between, a save redraws only the sections (each `show(record)`, through `changed`),
 * so nothing half-typed in another form is lost.
 */
function showSession(root, record, choices, signed = null) {
  const { session, patient } = record;
  setBanner(patient);
  const open = session.status === 'open';

  // While a correction is open, its form stands in for the entry form, so that each vitals label
  // on the page names one field and nothing is charted into the wrong one.
  const entrySlot = h('div');
  const sheet = flowsheet(record, {
    editable: open,
    onCorrecting: (vitals) => entrySlot.replaceChildren(vitals ? pausedNote(vitals) : entry.form),
    onChanged: changed,
  });
  const alertsSlot = h('div');
  // The parts a save can change: `show(record)` redraws one and keeps what is typed in its forms.
  const sections = {
    glance: glance(record),
    arrival: arrivalSection(record, changed),
    // Alerts raised by a new reading appear as soon as it is charted, without redrawing a form.
    alerts: {
      node: alertsSlot,
      show: (next) => alertsSlot.replaceChildren(alertsSection(next, (acknowledged) => {
        refresh(acknowledged);
        alertsSlot.querySelector('button')?.focus();
      }) ?? ''),
    },
    checklist: checklistSection(record, choices, changed),
    infusion: infusionSection(record, choices, changed),
    sideEffects: sideEffectsSection(record, choices, changed),
    notes: notesSection(record, changed),
    discharge: dischargeSection(record, changed),
    waste: wasteSection(record, changed),
  };
  // The record the sections show now.
  let current = record;
  function refresh(next) {
    current = next;
    for (const section of Object.values(sections)) section.show(next);
  }
  /**
   * After a save: redraws every section from the core's record, `next` (the record a command
   * returned, or the promise of one), by default read afresh. Resolves with the record drawn, for
   * the parts that redraw only after their own saves (the flowsheet, outcome scores); null if the
   * read failed, which is said in the saving part's `notes`: what was saved stays saved. A read
   * refused because the screen locked is asked again once it is back, and redraws the same way.
   */
  async function changed(notes, next = getSession(session.id)) {
    let fresh;
    try {
      fresh = await next;
    } catch (error) {
      if (await cameBack(root, error)) return changed(notes);
      notes.error(`Saved, but the screen could not be brought up to date: ${error.message}`);
      return null;
    }
    refresh(fresh);
    return fresh;
  }
  sections.alerts.show(record);

  // A session opened on another laptop of the clinic is charted there; here it is shown as shared.
  const entry = open && !session.laptop ? entryForm(session, entrySlot, sheet, changed) : null;
  entrySlot.append(entry
    ? entry.form
    : h('p', { class: 'panel note locked-note' }, open
      ? `This session is charted on laptop ${session.laptop}, which opened it; it is shown here as shared with the clinic.`
      : 'This session is signed and locked. Corrections are added as addenda.'));
  const signatures = signaturesSection(record, (next, done) => showSession(root, next, choices, done));

  const screen = h('div', { class: 'session-screen' },
    h('div', { class: 'page-head' }, h('h1', {}, `Session ${session.session_date}`), statusBadge(session.status)),
    h('div', { class: 'session-meta' },
      h('p', { class: 'meta' }, h('a', { href: patientHref(patient.id) }, 'All sessions for this patient')),
      open && shortcutsHelp()),
    sections.arrival.node,
    reportActions({ session_id: session.id }, 'report', `session-${session.session_date}.pdf`),
    patientFlags(patient.flags),
    sections.glance.node,
    sections.alerts.node,
    doseSummary(session.dose),
    sections.checklist.node,
    outcomesPart(record, choices, changed),
    sections.infusion.node,
    entrySlot,
    sheet.node,
    sections.sideEffects.node,
    sections.notes.node,
    sections.discharge.node,
    sections.waste.node,
    signatures.node,
    addendaSection(record));
  root.replaceChildren(screen);
  if (open && session.laptop) followShared(screen, session.id, () => current, (next) => showSession(root, next, choices));
  else if (open) {
    registerShortcuts(screen);
    reviewWhileRunning(screen, session.id, () => current, refresh);
  }
  if (signed) signatures.announce(signed);
  // Ready to chart, with the top of the screen (flags, figures) still in view.
  else entry?.time.focus({ preventScroll: true });
}

/**
 * While the infusion runs, the core reviews it every tick and raises the alerts it has come to
 * (past its plan, at the hard limit); the sections are redrawn from the record it returns. A
 * failed review is tried again at the next tick: charting never waits on it.
 */
function reviewWhileRunning(screen, sessionId, shown, refresh) {
  repeatWhileShown(screen, async () => {
    // As the screen last drew it: an infusion started since is reviewed from the next tick on.
    if (!['running', 'paused'].includes(shown().infusion.state)) return;
    try {
      const next = await reviewInfusion(sessionId);
      if (screen.isConnected) refresh(next);
    } catch {
      // The screen says nothing new until the next review answers.
    }
  }, REVIEW_TICK_MS);
}

/**
 * A session charted on another laptop of the clinic: what it charts reaches this laptop through
 * the clinic server, and the screen is drawn again from the record when it changes (nothing is
 * typed here). Read as a watch, which never holds off the automatic lock.
 */
function followShared(screen, sessionId, shown, redraw) {
  repeatWhileShown(screen, async () => {
    try {
      const next = await reviewInfusion(sessionId);
      if (screen.isConnected && JSON.stringify(next) !== JSON.stringify(shown())) redraw(next);
    } catch {
      // Asked again at the next tick.
    }
  }, SHARED_TICK_MS);
}

/**
 * Outcome scores, redrawn only once a score is saved, so a scale half scored survives other saves.
 * The redraw takes the section's own message with it, so this one says the score was saved.
 */
function outcomesPart(record, choices, changed) {
  const slot = h('div');
  const notes = notices();
  const show = (next) => {
    const section = outcomesSection(next, choices, async (score) => {
      notes.saved(`Score saved at ${localTime(score.recorded_at)}`);
      // The redraw replaces the form and its safety alert; this one outlives it.
      if (score.warning) notes.error(score.warning);
      const fresh = await changed(notes);
      if (fresh) show(fresh);
    });
    section.append(notes.node);
    slot.replaceChildren(section);
  };
  show(record);
  return slot;
}

/** What must not be missed about this patient (contraindications, flagged medications, allergies), on every session. */
function patientFlags(flags) {
  if (flags.length === 0) return null;
  return h('section', { class: 'panel flags', role: 'note', 'aria-labelledby': 'flags-heading' },
    h('h2', { id: 'flags-heading' }, 'Patient flags'),
    h('ul', { class: 'flag-list' }, flags.map((flag) => h('li', {}, flag))));
}

/**
 * The figures a nurse checks from the chair, in large type: the pump, the last vitals, when the
 * next are due, and what is still open. Counted on from now every tick, between the core's answers.
 */
function glance(record) {
  const figures = h('dl', { class: 'figures' });
  const due = h('p', { class: 'vitals-due', 'aria-live': 'polite' });
  const forty = h('p', { class: 'warning', hidden: true },
    '40-minute check: take vitals now (BP typically peaks around 40 minutes).');
  const missed = h('p', { class: 'warning', hidden: true },
    '40-minute check missed: no vitals were charted between 35 and 45 minutes after the start.');
  const stop = h('p', { class: 'warning stop-due', hidden: true, role: 'status' });
  const node = h('section', { class: 'panel glance', 'aria-label': 'At a glance' }, figures, stop, due, forty, missed);
  let countedAt = clinicNow();
  const draw = () => {
    figures.replaceChildren(...glanceFigures(record, countedAt).map(([term, value, detail, attention]) =>
      h('div', { class: attention ? 'attention' : null },
        h('dt', {}, term),
        h('dd', {}, value, detail && h('span', { class: 'detail' }, detail)))));
    showDue(record, due, forty, missed);
    showStopDue(record, stop);
  };
  draw();
  repeatWhileShown(node, draw, CLOCK_TICK_MS);
  return {
    node,
    show(next) {
      record = next;
      countedAt = clinicNow();
      draw();
    },
  };
}

/** [term, value, detail, needs attention] for each figure; `countedAt`: when the core sent the record. */
function glanceFigures({ infusion, progress, vitals, alerts, side_effects: effects }, countedAt) {
  const last = vitals.at(-1);
  const unacknowledged = alerts.filter((a) => !a.acknowledged_at).length;
  const unresolved = effects.filter((e) => !e.resolved_at);
  // Minutes since the start, as the core counts them, until the stop fixes them.
  const elapsed = infusion.state === 'stopped' || !infusion.started_at
    ? infusion.elapsed_min
    : Math.floor((clinicNow() - new Date(infusion.started_at)) / 60_000);
  const rate = { running: `${infusion.rate_ml_per_h} mL/h`, paused: 'Paused', stopped: 'Stopped' }[infusion.state] ?? 'Not started';
  return [
    ['Elapsed', infusion.started_at ? `${elapsed} min` : '—'],
    ['Rate', rate],
    // It grows while the pump runs: say when the core counted it.
    // Against the plan, so a dose past it cannot pass as ordinary.
    ['Given', progress ? `${infusion.mg_given} of ${progress.planned_mg} mg` : `${infusion.mg_given} mg`,
      infusion.state === 'running' && `at ${localTime(countedAt)}`,
      Boolean(progress) && infusion.mg_given > progress.alert_above_mg],
    ['Planned end', progress?.planned_end ? localTime(progress.planned_end) : '—', null, Boolean(progress?.stop_due)],
    ['BP (MAP)', last ? `${last.sbp}/${last.dbp} (${reading(last.map, 0)})` : '—', last && `at ${localTime(last.clinical_time)}`],
    ['HR', reading(last?.hr)],
    ['SpO2', last ? `${last.spo2}%` : '—'],
    ['Alerts', unacknowledged ? `${unacknowledged} open` : 'None', null, unacknowledged > 0],
    ['Side effects', unresolved.length ? `${unresolved.length} open` : 'None',
      unresolved.map((e) => e.label).join(', '), unresolved.length > 0],
  ];
}

/**
 * When the next vitals are due, counted down from the core's due time; overdue and the 40-minute
 * check (where BP typically peaks) stand out. Changed only when it changes, so it is announced once.
 */
function showDue({ cadence, session }, line, forty, missed) {
  const shown = Boolean(cadence.next_due) && session.status === 'open';
  line.hidden = !shown;
  forty.hidden = !shown || !cadence.forty_minute_check_due;
  missed.hidden = !cadence.forty_minute_check_missed;
  if (!shown) return;
  const minutes = Math.round((new Date(cadence.next_due) - clinicNow()) / 60000);
  const overdue = minutes < 0;
  const text = overdue
    ? `Vitals overdue by ${-minutes} min (due ${localTime(cadence.next_due)})`
    : `Next vitals due at ${localTime(cadence.next_due)} (in ${minutes} min)`;
  if (line.textContent !== text) line.textContent = text;
  line.classList.toggle('overdue', overdue);
}

/** Once the planned volume has run, the prompt to chart the stop (the pump usually stops by itself). */
function showStopDue({ progress, session }, line) {
  const due = session.status === 'open' && Boolean(progress?.stop_due);
  line.hidden = !due;
  const text = due ? `The planned ${progress.planned_ml} mL has run${progress.planned_end ? ` (planned end ${localTime(progress.planned_end)})` : ''}: `
    + 'check the pump and chart the stop.' : '';
  if (line.textContent !== text) line.textContent = text;
}

/** The protocol and dose the session was started with, with the arithmetic the nurse checked. */
function doseSummary(dose) {
  if (!dose) return null;
  const { plan } = dose;
  return h('section', { class: 'panel dose-summary', 'aria-labelledby': 'dose-heading' },
    h('h2', { id: 'dose-heading' }, dose.protocol_name),
    h('p', { class: 'dose-figures' },
      `${plan.total_mg} mg · ${plan.volume_ml} mL at ${plan.rate_ml_per_h} mL/h over ${plan.duration_min} min · `
      + plan.weight.label),
    h('ol', { class: 'arithmetic' }, plan.arithmetic.map((line) => h('li', {}, line))),
    dose.override_reason && h('p', { class: 'warning' },
      `Above the soft limit, confirmed by ${dose.override_by}: ${dose.override_reason}`));
}

function pausedNote(vitals) {
  return h('p', { class: 'panel note' },
    `Charting is paused while you correct the ${localTime(vitals.clinical_time)} reading. `
    + 'Save or cancel the correction to chart new vitals.');
}

function entryForm(session, slot, sheet, changed) {
  const vitals = vitalsFields();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Chart vitals');
  const notes = notices();
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'vitals-heading' },
    h('h2', { id: 'vitals-heading' }, 'Chart vitals'),
    vitals.node,
    h('div', { class: 'form-actions' }, submit, notes.node));

  form.addEventListener('focusin', vitals.time.catchUp);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const saved = await save(submit, notes, async () => addVitals({
      session_id: session.id,
      ...await readVitals(vitals, session.id),
    }));
    if (!saved) return;

    notes.saved(`Vitals charted and saved at ${localTime(saved.recorded_at)}`);
    for (const { input } of vitals.readings) input.value = '';
    vitals.time.reset();
    vitals.readings[0].input.focus();
    // Redraw from the core's copy, so the table shows exactly what is stored, in its order.
    const fresh = await changed(notes);
    if (fresh) sheet.show(fresh.vitals);
  });
  return { form, time: vitals.time.input };
}
