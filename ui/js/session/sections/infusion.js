// The infusion: the pump's state as the core sums up its events (running, rate, elapsed, mg given),
// the buttons for what may happen next, and the events with their clinical and entry times.

import { charCount } from '../../lib/char-count.js';
import { field, h } from '../../lib/dom.js';
import { checkTyped, numberOrNull } from '../../lib/form.js';
import { localTime } from '../../lib/format.js';
import { scaleLabel } from '../../lib/lists.js';
import { notices, save } from '../../lib/save.js';
import { addInfusionEvent } from '../../shell/api.js';
import { clockTime } from '../clinical-time.js';

const ACTIONS = {
  start: { button: 'Start infusion', rate: true },
  rate_change: { button: 'Change rate', rate: true },
  pause: { button: 'Pause' },
  resume: { button: 'Resume' },
  bolus: { button: 'Bolus', bolus: true },
  stop: { button: 'Stop infusion' },
};

const NEXT = {
  not_started: ['start'],
  running: ['rate_change', 'pause', 'bolus', 'stop'],
  paused: ['resume', 'stop'],
  stopped: [],
};

const EVENT_NAMES = { start: 'Start', rate_change: 'Rate change', pause: 'Pause', resume: 'Resume', bolus: 'Bolus', stop: 'Stop' };

/**
 * The infusion panel (`lists`: the reference lists, for the scales' names). `show(record)` redraws it from the core's record, keeping an open event form
 * while the pump's state is unchanged (a checklist or baseline reading only changes the hold). After
 * each event it charts, `onChanged(notes)` redraws the screen from the core's fresh record.
 */
export function infusionSection(record, lists, onChanged) {
  const node = h('section', { class: 'panel infusion', 'aria-labelledby': 'infusion-heading' });
  const formSlot = h('div');
  const notes = notices();
  let state = null;

  function show(next) {
    const { session, infusion, events, baseline } = next;
    // A form opened for another state of the pump no longer applies.
    if (infusion.state !== state) formSlot.replaceChildren();
    state = infusion.state;
    const buttons = session.status === 'open' ? NEXT[infusion.state].map((kind) => {
      const button = h('button', { type: 'button', class: kind === 'stop' ? 'secondary danger' : 'secondary' }, ACTIONS[kind].button);
      button.addEventListener('click', () => formSlot.replaceChildren(eventForm(next, lists, kind, formSlot, () => {
        formSlot.replaceChildren();
        notes.saved(`${EVENT_NAMES[kind]} charted and saved`);
        onChanged(notes);
      })));
      return button;
    }) : [];

    // The hold is a to-do, so it is shown only while something can still be done about it.
    const hold = session.status === 'open' && next.hold;
    node.replaceChildren(...[
      h('h2', { id: 'infusion-heading' }, 'Infusion'),
      h('p', { class: 'pump-state' }, pumpLine(infusion, next.progress)),
      baselineLine(baseline, infusion),
      hold && h('p', { class: 'warning' }, hold),
      buttons.length > 0 && h('div', { class: 'form-actions' }, buttons),
      formSlot,
      notes.node,
      events.length === 0 ? h('p', { class: 'empty' }, 'No infusion events yet.') : eventsTable(events),
    ].filter(Boolean));
  }
  show(record);
  return { node, show };
}

/** The one baseline: what the start was judged on (or, before it, would be). */
function baselineLine(v, infusion) {
  if (!v) return null;
  const what = infusion.state === 'not_started' ? 'Baseline (the latest reading; a start now is judged on it)' : 'Baseline';
  return h('p', { class: 'baseline' },
    `${what}: BP ${v.sbp}/${v.dbp}, HR ${v.hr}, SpO2 ${v.spo2}% at ${localTime(v.clinical_time)}`);
}

function pumpLine(p, progress) {
  const given = progress
    ? `${p.mg_given} of ${progress.planned_mg} mg given (${p.ml_given} of ${progress.planned_ml} mL)`
    : `${p.mg_given} mg given (${p.ml_given} mL)`;
  switch (p.state) {
    case 'running':
      return `Running at ${p.rate_ml_per_h} mL/h · ${p.elapsed_min} min since start · ${given}`;
    case 'paused':
      return `Paused · ${p.elapsed_min} min since start · ${given}`;
    case 'stopped':
      return `Stopped after ${p.elapsed_min} min (${p.running_min} min running) · ${given}`;
    default:
      return 'Not started';
  }
}

function eventForm({ session, hold, checklist, vitals, scales_due: scalesDue }, lists, kind, slot, onSaved) {
  const action = ACTIONS[kind];
  // A start over a baseline BP hold carries a physician's reason; the core checks who and why. Only
  // that hold can be overridden: with no checklist or no baseline reading, the hold is a to-do.
  const overriding = kind === 'start' && hold && checklist && vitals.length > 0;
  const override = h('input', { id: 'event-hold-override', type: 'text' });
  // Outcome scales due before the infusion and not taken: starting anyway is the nurse's decision,
  // confirmed here and kept on the start.
  const unscored = kind === 'start' ? scalesDue.map((scale) => scaleLabel(lists.scales, scale)) : [];
  const withoutScales = h('input', { id: 'event-without-scales', type: 'checkbox' });
  const time = clockTime('event-time');
  const rate = h('input', { id: 'event-rate', type: 'number', step: '0.1', inputmode: 'decimal', value: session.dose?.plan.rate_ml_per_h ?? '' });
  const bolus = h('input', { id: 'event-bolus', type: 'number', step: '0.1', inputmode: 'decimal' });
  const submit = h('button', { type: 'submit', class: 'primary' }, `Record ${EVENT_NAMES[kind].toLowerCase()}`);
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const notes = notices();
  const form = h('form', { class: 'event-form', novalidate: true },
    h('div', { class: 'fields' },
      field('Event time', time.input),
      action.rate && field('Rate (mL/h)', rate),
      action.bolus && field('Bolus (mg)', bolus),
      overriding && field('Reason to override the BP hold', override, ['physician · ', charCount(override, 'hold_override').node])),
    unscored.length > 0 && h('p', { class: 'warning' }, `Due before the infusion and not taken: ${unscored.join(', ')}.`),
    unscored.length > 0 && h('label', { class: 'check', for: withoutScales.id }, withoutScales,
      ` Start without ${unscored.join(', ')}`),
    h('div', { class: 'form-actions' }, submit, cancel, notes.node));

  cancel.addEventListener('click', () => slot.replaceChildren());
  form.addEventListener('focusin', time.catchUp);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const saved = await save(submit, notes, async () => addInfusionEvent({
      session_id: session.id,
      kind,
      clinical_time: await time.instant(session.id),
      rate_ml_per_h: action.rate ? numberOrNull(rate) : null,
      bolus_mg: action.bolus ? numberOrNull(bolus) : null,
      hold_override: overriding ? override.value : null,
      start_without_scales: withoutScales.checked,
    }));
    if (saved) onSaved();
  });
  queueMicrotask(() => (action.rate ? rate : action.bolus ? bolus : submit).focus());
  return form;
}

function eventsTable(events) {
  return h('table', { class: 'events' },
    h('caption', {}, 'Infusion events'),
    h('thead', {}, h('tr', {}, ['Time', 'Event', 'Rate / bolus', 'Entered', 'By'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, events.map((e) => h('tr', { 'data-event-id': e.id },
      h('th', { scope: 'row' }, localTime(e.clinical_time)),
      h('td', {}, EVENT_NAMES[e.kind],
        e.hold_override && h('span', { class: 'meta' }, ` · BP hold overridden: ${e.hold_override}`),
        e.scales_not_taken && h('span', { class: 'meta' }, ` · started without ${e.scales_not_taken}`)),
      h('td', {}, e.rate_ml_per_h != null ? `${e.rate_ml_per_h} mL/h` : e.bolus_mg != null ? `${e.bolus_mg} mg` : '—'),
      h('td', {}, localTime(e.recorded_at), e.late && h('span', { class: 'tag late' }, 'late entry')),
      h('td', {}, e.entered_by)))));
}
