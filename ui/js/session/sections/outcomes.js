// Outcome scores (PHQ-9, GAD-7, PCL-5, MADRS, pain): the form that scores one scale item by item,
// and the session screen's section with the session's scores and the scales still due. The core
// computes the stored total, the severity and the PHQ-9 item 9 safety warning; the running total
// here only helps the nurse check what was chosen.

import { field, h } from '../../lib/dom.js';
import { checkTyped, numberOrNull } from '../../lib/form.js';
import { timeOnDay } from '../../lib/format.js';
import { labelOf, scaleLabel } from '../../lib/lists.js';
import { notices, save } from '../../lib/save.js';
import { addOutcome } from '../../shell/api.js';
import { clockTime } from '../clinical-time.js';

/** The timepoints scored after the session, which may be charted after it is signed. */
export const FOLLOW_UPS = ['after24h', 'after1_week'];

const scaleSpec = (lists, scale) => lists.scales.find((spec) => spec.scale === scale);

const range = (max) => Array.from({ length: max + 1 }, (_, value) => value);

/**
 * The form for one score of session `sessionId`. `timepoints` is either ['pre_infusion'] (timed
 * after the patient's arrival) or follow-ups (a date and time, up to 30 days after). Scale
 * and timepoint start unchosen, except the first of `scalesDue` and a single allowed timepoint.
 * `onSaved(score)` runs with the core's OutcomeScore.
 */
export function outcomeForm({ sessionId, lists, timepoints, scalesDue = [], onSaved }) {
  const followUp = !timepoints.includes('pre_infusion');
  const scale = h('select', { id: 'outcome-scale' },
    h('option', { value: '' }, 'Choose…'),
    lists.scales.map((spec) => h('option', { value: spec.scale, selected: spec.scale === scalesDue[0] }, spec.label)));
  const allowed = lists.timepoints.filter((choice) => timepoints.includes(choice.name));
  const when = h('select', { id: 'outcome-timepoint' },
    allowed.length > 1 && h('option', { value: '' }, 'Choose…'),
    allowed.map((choice) => h('option', { value: choice.name }, choice.label)));
  // A follow-up is often scored on another day (a phone call, the next visit): date and time.
  const time = clockTime('outcome-time', { withDate: followUp });

  const items = h('div', { class: 'fields outcome-items' });
  const total = h('p', { class: 'outcome-total', 'aria-live': 'polite' });
  let itemSelects = [];
  const showTotal = () => {
    const spec = scaleSpec(lists, scale.value);
    if (!spec) {
      total.textContent = '';
      return;
    }
    const chosen = itemSelects.filter((select) => select.value !== '');
    const sum = chosen.reduce((acc, select) => acc + Number(select.value), 0);
    const missing = itemSelects.length - chosen.length;
    total.textContent = `Total: ${sum} of ${spec.total_max}` + (missing ? ` (${missing} not scored yet)` : '');
  };
  // One select per item (0 to the scale's item maximum), empty until the answer is chosen.
  const showItems = () => {
    const spec = scaleSpec(lists, scale.value);
    itemSelects = (spec?.items ?? []).map((_, i) => h('select', { id: `outcome-item-${i + 1}` },
      h('option', { value: '' }, ''),
      range(spec.item_max).map((value) => h('option', { value }, String(value)))));
    items.replaceChildren(...itemSelects.map((select, i) => field(`${i + 1}. ${spec.items[i]}`, select)));
    showTotal();
  };
  scale.addEventListener('change', showItems);
  items.addEventListener('change', showTotal);
  showItems();

  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save score');
  const notes = notices();
  const safety = h('div');
  const form = h('form', { class: 'outcome-form', novalidate: true },
    h('div', { class: 'fields' }, field('Scale', scale), field('When taken', when), field('Time taken', time.input)),
    items,
    total,
    h('div', { class: 'form-actions' }, submit, notes.node),
    safety);
  form.addEventListener('focusin', time.catchUp);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    safety.replaceChildren();
    const saved = await save(submit, notes, async () => addOutcome({
      session_id: sessionId,
      scale: scale.value || null,
      timepoint: when.value || null,
      clinical_time: await time.instant(sessionId),
      items: itemSelects.map(numberOrNull),
    }));
    if (!saved) return;
    const spec = scaleSpec(lists, saved.scale);
    notes.saved(`${spec.label} saved: total ${saved.total} of ${spec.total_max}, ${saved.severity}`);
    // A fresh role="alert" element, so the safety question is announced as well as seen.
    if (saved.warning) safety.replaceChildren(h('p', { role: 'alert', class: 'warning safety' }, saved.warning));
    showItems();
    time.reset();
    onSaved(saved);
  });
  return form;
}

/**
 * The session screen's "Outcome scores": the session's scores, the protocol's scales still due
 * before the infusion, and the form (before-infusion scores while open, follow-ups once signed).
 * `onChange(score)` runs after a save; the caller redraws from the core.
 */
export function outcomesSection(record, lists, onChange) {
  const { session } = record;
  const open = session.status === 'open';
  const due = record.scales_due.map((scale) => scaleLabel(lists.scales, scale));
  return h('section', { class: 'panel', 'aria-labelledby': 'outcomes-heading' },
    h('h2', { id: 'outcomes-heading' }, 'Outcome scores'),
    open && due.length > 0 && h('p', { class: 'warning' }, `Due before the infusion: ${due.join(', ')}.`),
    scoreTable(record.outcomes, session.session_date, lists),
    h('div', { class: 'subsection' },
      h('h3', {}, open ? 'Score before the infusion' : 'Follow-up score (24 hours or 1 week after)'),
      outcomeForm({
        sessionId: session.id,
        lists,
        timepoints: open ? ['pre_infusion'] : FOLLOW_UPS,
        scalesDue: open ? record.scales_due : [],
        onSaved: onChange,
      })));
}

function scoreTable(scores, sessionDate, lists) {
  if (scores.length === 0) return h('p', { class: 'empty' }, 'No scores yet.');
  return h('table', { class: 'data-table outcome-scores' },
    h('thead', {}, h('tr', {},
      ['Scale', 'When taken', 'Time taken', 'Total', 'Severity'].map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, scores.map((score) => h('tr', {},
      h('th', { scope: 'row' }, scaleLabel(lists.scales, score.scale)),
      h('td', {}, labelOf(lists.timepoints, score.timepoint)),
      h('td', {}, timeOnDay(sessionDate, score.clinical_time)),
      h('td', { class: 'number' }, `${score.total} of ${scaleSpec(lists, score.scale).total_max}`),
      h('td', {}, score.severity, score.warning && h('p', { class: 'warning safety' }, score.warning))))));
}
