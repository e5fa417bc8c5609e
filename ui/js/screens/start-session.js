// Starting today's session: protocol, today's weight in an explicit unit, the dose with its
// arithmetic as the core computes it, and the chair. The core refuses to start while anything is
// unresolved (a weight far from the recorded one, a dose above a limit); this form shows what and how.

import { charCount } from '../lib/char-count.js';
import { checkbox, field, h } from '../lib/dom.js';
import { checkTyped, numberOrNull } from '../lib/form.js';
import { notices, save } from '../lib/save.js';
import { dosePreview, listProtocols, startSession } from '../shell/api.js';

const PREVIEW_DELAY_MS = 200;

/** Renders the form into `container`; `onStarted(session)` runs once the core has started it. */
export async function renderStartSession(container, patient, onStarted) {
  const notes = notices();
  let protocols;
  try {
    protocols = await listProtocols();
  } catch (error) {
    container.replaceChildren(h('p', { role: 'alert', class: 'error' }, error.message));
    return;
  }

  const protocol = h('select', { id: 'start-protocol' },
    protocols.map((p) => h('option', { value: p.id }, p.name)));
  const weight = h('input', { id: 'start-weight', type: 'number', step: '0.1', inputmode: 'decimal', value: patient.weight.value });
  // Weighed in the unit the weight was recorded in, unless the nurse chooses the other.
  const unit = h('select', { id: 'start-weight-unit' },
    ['kg', 'lb'].map((name) => h('option', { value: name, selected: name === patient.weight.unit }, name)));
  const dose = h('input', { id: 'start-dose', type: 'number', step: '0.01', inputmode: 'decimal', value: protocols[0]?.dose_mg_per_kg ?? '' });
  // Where the patient sits, as the clinic names its chairs; the day list sorts by it.
  const chair = h('input', { id: 'start-chair', type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const confirmWeight = h('input', { id: 'start-weight-confirmed', type: 'checkbox' });
  const reason = h('input', { id: 'start-override-reason', type: 'text' });
  const confirmRow = checkbox('I have checked this weight', confirmWeight);
  const reasonRow = field('Reason for a dose above the soft limit', reason, ['physician · ', charCount(reason, 'dose_override_reason').node]);
  const plan = h('div', { class: 'dose-plan', 'aria-live': 'polite' });
  const protocolField = field('Protocol', protocol);
  protocolField.classList.add('wide'); // protocol names are long; a cut-off name could hide "100 min"
  const submit = h('button', { type: 'submit', class: 'primary' }, "Start today's session");
  const form = h('form', { class: 'start-session', novalidate: true, 'aria-labelledby': 'start-heading' },
    h('h2', { id: 'start-heading' }, "Today's session"),
    h('div', { class: 'fields' },
      protocolField,
      field('Weight today', weight, `recorded ${patient.weight.label}`),
      field('Weight unit', unit),
      field('Dose (mg/kg)', dose),
      field('Chair', chair, ['optional · ', charCount(chair, 'chair').node])),
    plan, confirmRow, reasonRow,
    h('div', { class: 'form-actions' }, submit, notes.node));

  const request = () => ({
    patient_id: patient.id,
    protocol_id: Number(protocol.value),
    weight: numberOrNull(weight),
    weight_unit: unit.value,
    dose_mg_per_kg: numberOrNull(dose),
    weight_confirmed: confirmWeight.checked,
    override_reason: reason.value || null,
    chair: chair.value || null,
  });

  // Each preview answers the form as it was when asked; an older answer arriving late is dropped.
  let asked = 0;
  let timer = null;
  async function preview() {
    const ask = ++asked;
    let answer;
    try {
      answer = await dosePreview(request());
    } catch (error) {
      answer = { error: error.message };
    }
    if (ask === asked) showPlan(answer);
  }
  function showPlan(answer) {
    if (answer.error) {
      plan.replaceChildren(h('p', { class: 'error' }, answer.error));
      return;
    }
    plan.replaceChildren(
      h('ol', { class: 'arithmetic' }, answer.arithmetic.map((line) => h('li', {}, line))),
      h('p', { class: 'meta' }, `Weight ${answer.weight.label}`),
      answer.warnings.map((warning) => h('p', { class: 'warning' }, warning)));
    confirmRow.hidden = !answer.weight_far_from_recorded;
    reasonRow.hidden = answer.limit !== 'above_soft';
  }
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(preview, PREVIEW_DELAY_MS);
  };

  protocol.addEventListener('change', () => {
    dose.value = protocols.find((p) => p.id === Number(protocol.value))?.dose_mg_per_kg ?? '';
    schedule();
  });
  for (const input of [weight, unit, dose, confirmWeight, reason]) input.addEventListener('input', schedule);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const session = await save(submit, notes, () => startSession(request()));
    if (session) onStarted(session);
  });

  confirmRow.hidden = true;
  reasonRow.hidden = true;
  container.replaceChildren(form);
  await preview();
}
