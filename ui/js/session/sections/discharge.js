// Recovery and discharge: modified Aldrete scores, recovery and chair time, what a discharge now
// would need overriding, and the discharge itself (escort, instructions, a physician's override).

import { charCount } from '../../lib/char-count.js';
import { checkbox, field, h } from '../../lib/dom.js';
import { checkTyped, numberOrNull } from '../../lib/form.js';
import { localTime } from '../../lib/format.js';
import { notices, save } from '../../lib/save.js';
import { addAldrete, discharge } from '../../shell/api.js';
import { clockTime, lateTag } from '../clinical-time.js';

// The modified Aldrete items in the order the core takes them, each scored 2, 1 or 0.
const ALDRETE = [
  { key: 'activity', label: 'Activity', scores: ['Moves all four limbs', 'Moves two limbs', 'Moves no limbs'] },
  { key: 'respiration', label: 'Respiration', scores: ['Breathes deeply and coughs freely', 'Dyspnoea or limited breathing', 'Apnoeic'] },
  { key: 'circulation', label: 'Circulation', scores: ['BP within ±20 mmHg of baseline', 'BP ±20–50 mmHg of baseline', 'BP more than 50 mmHg from baseline'] },
  { key: 'consciousness', label: 'Consciousness', scores: ['Fully awake', 'Arousable on calling', 'Not responding'] },
  { key: 'oxygen', label: 'SpO2 score', scores: ['SpO2 above 92% on room air', 'Needs O2 to keep SpO2 above 90%', 'SpO2 below 90% even with O2'] },
];

const INSTRUCTIONS = "No driving until after a night's sleep; no benzodiazepines or opioids for 4 hours.";

/**
 * The section. `show(record)` redraws what the core reports and keeps the forms as typed; after a
 * save `onChange(notes, next?)` redraws the screen from the core's record (the one a command
 * returned, else read afresh).
 */
export function dischargeSection(record, onChange) {
  const { session } = record;
  const heading = h('h2', { id: 'recovery-heading', tabindex: '-1' }, 'Recovery and discharge');
  const info = h('div');
  const formSlot = h('div');
  // Outside the forms, which are gone once the patient is discharged; the message stays.
  const notes = notices();
  const node = h('section', { class: 'panel recovery', 'aria-labelledby': 'recovery-heading' }, heading, info, formSlot, notes.node);
  let forms = null; // made once, so a redraw keeps what was typed

  function show(next) {
    const { aftercare } = next;
    const done = aftercare.discharge;
    const charting = session.status === 'open' && !done;
    info.replaceChildren(h('div', {},
      timesLine(aftercare),
      aldreteTable(aftercare),
      done ? dischargeSummary(done) : charting && aftercare.holds.map((hold) => h('p', { class: 'warning' }, hold))));
    if (!charting) {
      formSlot.replaceChildren();
      return;
    }
    forms ??= { aldrete: aldreteForm(session, onChange), discharge: dischargeForm(session, notes, heading, onChange) };
    forms.discharge.escortFrom(next);
    formSlot.replaceChildren(forms.aldrete, forms.discharge.form);
  }
  show(record);
  return { node, show };
}

/** Recovery and chair time; until discharge they run to now, so they say when that was. */
function timesLine({ recovery_minutes: recoveryMin, chair_minutes: chairMin, discharge: done }) {
  const parts = [
    recoveryMin != null && `Recovery time: ${recoveryMin} min`,
    chairMin != null && `Chair time: ${chairMin} min`,
  ].filter(Boolean);
  if (parts.length === 0) return null;
  return h('p', { class: 'recovery-times' }, parts.join(' · '), !done && h('span', { class: 'meta' }, ` (at ${localTime()})`));
}

function aldreteTable({ aldrete, min_aldrete: minimum }) {
  if (aldrete.length === 0) return h('p', { class: 'empty' }, `No modified Aldrete score yet (discharge needs at least ${minimum} of 10).`);
  return h('div', { class: 'table-scroll' }, h('table', { class: 'data-table aldrete' },
    h('caption', {}, `Modified Aldrete scores (discharge needs at least ${minimum} of 10)`),
    h('thead', {}, h('tr', {}, ['Time', ...ALDRETE.map((item) => item.label), 'Total', 'By'].map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, aldrete.map((score) => h('tr', { 'data-aldrete-id': score.id },
      h('th', { scope: 'row' }, localTime(score.clinical_time), lateTag(score)),
      score.items.map((value) => h('td', {}, String(value))),
      h('td', {}, h('strong', {}, String(score.total))),
      h('td', {}, score.entered_by))))));
}

function dischargeSummary(d) {
  return h('div', { class: 'discharged' },
    h('p', { class: 'discharge-line' },
      h('strong', {}, `Discharged at ${localTime(d.clinical_time)}`),
      ` · Aldrete ${d.aldrete_total} · escort ${d.escort_name} · instructions given · by ${d.entered_by}`,
      lateTag(d)),
    d.override_reason && h('p', { class: 'warning' }, `Discharged with an override by ${d.override_by}: ${d.override_reason}`));
}

function aldreteForm(session, onChange) {
  const selects = ALDRETE.map(({ key, label, scores }) => ({
    key,
    label,
    input: h('select', { id: `aldrete-${key}` },
      h('option', { value: '' }, 'Choose…'),
      scores.map((text, i) => h('option', { value: String(2 - i) }, `${2 - i} · ${text}`))),
  }));
  const time = clockTime('aldrete-time');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Record Aldrete score');
  const notes = notices();
  const form = h('form', { class: 'aldrete-form', novalidate: true, 'aria-labelledby': 'aldrete-form-heading' },
    h('h3', { id: 'aldrete-form-heading' }, 'Modified Aldrete score'),
    h('div', { class: 'fields' }, selects.map(({ label, input }) => field(label, input)), field('Score time', time.input)),
    h('div', { class: 'form-actions' }, submit, notes.node));
  form.addEventListener('focusin', time.catchUp);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const saved = await save(submit, notes, async () => addAldrete({
      session_id: session.id,
      clinical_time: await time.instant(session.id),
      ...Object.fromEntries(selects.map(({ key, input }) => [key, numberOrNull(input)])),
    }));
    if (!saved) return;
    notes.saved(`Aldrete score ${saved.total} saved at ${localTime(saved.recorded_at)}`);
    form.reset();
    time.reset();
    selects[0].input.focus();
    onChange(notes);
  });
  return form;
}

/**
 * `notes` and `heading` belong to the section, which outlives this form. `escortFrom(record)` fills
 * in the escort named on the checklist (or the patient's), as long as the nurse has not typed one.
 */
function dischargeForm(session, notes, heading, onChange) {
  const time = clockTime('discharge-time');
  const escort = h('input', { id: 'discharge-escort', type: 'text', autocomplete: 'off' });
  const escortCount = charCount(escort, 'discharge_escort');
  const instructions = h('input', { id: 'discharge-instructions', type: 'checkbox', 'aria-describedby': 'discharge-instructions-text' });
  const reason = h('textarea', { id: 'discharge-override', rows: '2' });
  const reasonCount = charCount(reason, 'discharge_override_reason');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Discharge patient');
  const form = h('form', { class: 'discharge-form', novalidate: true, 'aria-labelledby': 'discharge-form-heading' },
    h('h3', { id: 'discharge-form-heading' }, 'Discharge'),
    h('div', { class: 'fields' }, field('Discharge time', time.input), field('Escort', escort, escortCount.node)),
    h('div', { class: 'instructions' },
      checkbox('Discharge instructions given', instructions),
      h('p', { id: 'discharge-instructions-text', class: 'instruction-text' }, INSTRUCTIONS)),
    h('div', { class: 'fields stack' },
      field('Override reason', reason, [
        'Needed only below the minimum score or before the observation time; a physician enters it · ',
        reasonCount.node,
      ])),
    h('div', { class: 'form-actions' }, submit));
  form.addEventListener('focusin', time.catchUp);

  let escortTyped = false;
  escort.addEventListener('input', () => { escortTyped = true; });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const next = await save(submit, notes, async () => discharge({
      session_id: session.id,
      clinical_time: await time.instant(session.id),
      escort_name: escort.value,
      instructions_given: instructions.checked,
      override_reason: reason.value,
    }));
    if (!next) return;
    notes.saved(`Patient discharged; saved at ${localTime(next.aftercare.discharge.recorded_at)}`);
    // The form gives way to the discharge summary: keep the keyboard in this section.
    heading.focus();
    onChange(notes, next);
  });
  return {
    form,
    escortFrom({ checklist, patient }) {
      if (!escortTyped) escort.value = checklist?.escort_name ?? patient.escort ?? '';
      escortCount.update();
    },
  };
}
