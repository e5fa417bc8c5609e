// Before the infusion, the pre-infusion checklist with the vial's lot and expiry; afterwards, the
// witnessed waste of what is left in the vial (ketamine is a controlled substance).

import { charCount } from '../../lib/char-count.js';
import { checkbox, field, h } from '../../lib/dom.js';
import { checkTyped, choiceSelect, numberOrNull } from '../../lib/form.js';
import { localTime } from '../../lib/format.js';
import { labelOf } from '../../lib/lists.js';
import { notices, save } from '../../lib/save.js';
import { recordWaste, saveChecklist } from '../../shell/api.js';
import { clockTime, lateTag } from '../clinical-time.js';

// The core refuses the checklist until each is confirmed, and names the missing ones by these labels.
const CONFIRMATIONS = [
  { key: 'consent_on_file', label: 'Consent on file' },
  { key: 'fasting_confirmed', label: 'Fasting as the protocol requires' },
  { key: 'escort_confirmed', label: 'Escort home confirmed' },
  { key: 'medication_changes_reviewed', label: 'Medication changes reviewed' },
];

const textInput = (id, attributes = {}) => h('input', { id, type: 'text', autocomplete: 'off', ...attributes });

/** Terms and values as a compact list: what was recorded, read at a glance. */
const summaryList = (pairs) => h('dl', { class: 'summary' },
  pairs.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))));

/**
 * The checklist: its form while none is saved, then what was recorded. After a save `onSaved(notes)`
 * redraws the screen from the core's fresh record: the infusion may start only once it is in.
 */
export function checklistSection(record, lists, onSaved) {
  const heading = h('h2', { id: 'checklist-heading', tabindex: '-1' }, 'Pre-infusion checklist');
  const body = h('div');
  const notes = notices();
  const node = h('section', { class: 'panel checklist', 'aria-labelledby': 'checklist-heading' }, heading, body, notes.node);
  let form = null; // made once, so a redraw keeps what was typed

  function show(next) {
    const { checklist, session } = next;
    if (checklist) body.replaceChildren(summaryList([
      ['Vial', `Lot ${checklist.vial_lot}, expires ${checklist.vial_expiry}`],
      ['IV', `${checklist.iv_gauge} G, ${checklist.iv_site}`],
      ['Escort', checklist.escort_name],
      ['Pregnancy status', labelOf(lists.pregnancy, checklist.pregnancy)],
      ['Confirmed', 'Consent, fasting, escort home, medication changes'],
      ['Completed', localTime(checklist.completed_at)],
      ['Recorded', `${localTime(checklist.recorded_at)} by ${checklist.entered_by}`],
    ]));
    else if (session.status === 'open') body.replaceChildren(form ??= checklistForm(next, lists, notes, heading, onSaved));
    else body.replaceChildren(h('p', { class: 'empty' }, 'No checklist was recorded.'));
  }
  show(record);
  return { node, show };
}

function checklistForm({ session, patient }, lists, notes, heading, onSaved) {
  const boxes = CONFIRMATIONS.map(({ key, label }) => ({ key, label, input: h('input', { id: `checklist-${key}`, type: 'checkbox' }) }));
  const escort = textInput('checklist-escort', { value: patient.escort });
  const pregnancy = choiceSelect('checklist-pregnancy', lists.pregnancy);
  const ivSite = textInput('checklist-iv-site');
  const ivGauge = h('input', { id: 'checklist-iv-gauge', type: 'number', step: '1', inputmode: 'numeric' });
  // Lot numbers and dates are codes, not words: no spell-checking underlines.
  const vialLot = textInput('checklist-vial-lot', { spellcheck: 'false' });
  const vialExpiry = textInput('checklist-vial-expiry', { spellcheck: 'false', placeholder: 'YYYY-MM or YYYY-MM-DD' });
  const counts = {
    escort: charCount(escort, 'checklist_escort'), ivSite: charCount(ivSite, 'iv_site'), vialLot: charCount(vialLot, 'vial_lot'),
  };
  // When it was done with the patient: the infusion starts after it.
  const time = clockTime('checklist-time');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save checklist');
  const form = h('form', { novalidate: true, 'aria-labelledby': 'checklist-heading' },
    h('fieldset', { class: 'checks confirmations' }, h('legend', {}, 'Confirmed with the patient'),
      boxes.map(({ label, input }) => checkbox(label, input))),
    h('div', { class: 'fields' },
      field("Escort's name", escort, counts.escort.node),
      field('Pregnancy status', pregnancy),
      field('IV site', ivSite, counts.ivSite.node),
      field('IV gauge', ivGauge),
      field('Vial lot', vialLot, counts.vialLot.node),
      field('Vial expiry', vialExpiry),
      field('Checklist completed at', time.input)),
    h('div', { class: 'form-actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    time.catchUp();
    const saved = await save(submit, notes, async () => saveChecklist({
      session_id: session.id,
      ...Object.fromEntries(boxes.map(({ key, input }) => [key, input.checked])),
      escort_name: escort.value,
      pregnancy: pregnancy.value || null,
      iv_site: ivSite.value,
      iv_gauge: numberOrNull(ivGauge),
      vial_lot: vialLot.value,
      vial_expiry: vialExpiry.value,
      completed_at: await time.instant(session.id),
    }));
    if (!saved) return;
    notes.saved(`Checklist saved at ${localTime(saved.recorded_at)}`);
    // The form gives way to the summary: keep the keyboard where the nurse was.
    heading.focus();
    onSaved(notes);
  });
  return form;
}

/**
 * The vial's waste: what was wasted, and once the infusion has started, the form for it, which a
 * second user witnesses with their own password. `onChange` as for the checklist.
 */
export function wasteSection(record, onChange) {
  const { session } = record;
  const list = h('div');
  const formSlot = h('div');
  const node = h('section', { class: 'panel waste', 'aria-labelledby': 'waste-heading' },
    h('h2', { id: 'waste-heading' }, 'Waste'),
    list,
    formSlot);
  let form = null;

  function show(next) {
    list.replaceChildren(next.wastes.length === 0
      ? h('p', { class: 'empty' }, 'No waste recorded.')
      : h('ul', { class: 'wastes' }, next.wastes.map((w) => h('li', {},
        h('strong', {}, `${w.amount_mg} mg`),
        ` at ${localTime(w.clinical_time)} · witnessed by ${w.witness} · recorded by ${w.entered_by}`,
        lateTag(w)))));
    if (session.status !== 'open') return;
    if (next.infusion.state === 'not_started') {
      formSlot.replaceChildren(h('p', { class: 'note' }, 'Record the waste of what is left in the vial once the infusion has started.'));
    } else {
      formSlot.replaceChildren(form ??= wasteForm(session, onChange));
    }
  }
  show(record);
  return { node, show };
}

function wasteForm(session, onChange) {
  const time = clockTime('waste-time');
  const amount = h('input', { id: 'waste-amount', type: 'number', step: '0.1', inputmode: 'decimal' });
  const witness = textInput('waste-witness', { spellcheck: 'false' });
  const password = h('input', { id: 'waste-witness-password', type: 'password', autocomplete: 'off' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Record waste');
  const notes = notices();
  const form = h('form', { novalidate: true, 'aria-label': 'Record waste' },
    h('div', { class: 'fields' },
      field('Waste time', time.input),
      field('Amount wasted (mg)', amount),
      field('Witness username', witness),
      field('Witness password', password, 'typed by the witness')),
    h('div', { class: 'form-actions' }, submit, notes.node));
  form.addEventListener('focusin', time.catchUp);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const saved = await save(submit, notes, async () => recordWaste({
      session_id: session.id,
      clinical_time: await time.instant(session.id),
      amount_mg: numberOrNull(amount),
      witness_username: witness.value,
      witness_password: password.value,
    }));
    // The witness's password never stays on screen, whether or not it was accepted.
    password.value = '';
    if (!saved) return;
    notes.saved(`Waste saved at ${localTime(saved.recorded_at)}`);
    form.reset();
    time.reset();
    amount.focus();
    onChange(notes);
  });
  return form;
}
