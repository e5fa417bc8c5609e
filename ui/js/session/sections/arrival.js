// The patient's arrival: when the session was opened, unless moved back with a reason (the patient
// was in the chair before anyone opened the session). Nothing is charted before it.

import { charCount } from '../../lib/char-count.js';
import { field, h } from '../../lib/dom.js';
import { localTime } from '../../lib/format.js';
import { notices, save } from '../../lib/save.js';
import { moveArrival } from '../../shell/api.js';
import { clockTime } from '../clinical-time.js';

/** The arrival line, with the form to move it back while the session is open. */
export function arrivalSection(record, onChanged) {
  const node = h('div', { class: 'arrival' });
  const formSlot = h('div');
  const notes = notices();
  function show({ session }) {
    // Until moved, the arrival is when the session was opened.
    const how = session.arrival_reason
      ? ` · moved back from ${localTime(session.started_at)}, when the session was opened: ${session.arrival_reason}`
      : ' · when the session was opened';
    const button = session.status === 'open' ? h('button', { type: 'button', class: 'secondary small' }, 'Arrived earlier…') : null;
    button?.addEventListener('click', () => formSlot.replaceChildren(arrivalForm(session, () => {
      formSlot.replaceChildren();
      onChanged(notes);
    }, () => formSlot.replaceChildren())));
    node.replaceChildren(
      h('p', { class: 'arrival-line' }, h('strong', {}, `Arrived ${localTime(session.arrived_at)}`), h('span', { class: 'meta' }, how), ' ', button),
      formSlot,
      notes.node);
  }
  show(record);
  return { node, show };
}

function arrivalForm(session, onSaved, onCancel) {
  const time = clockTime('arrival-time', { from: session.arrived_at, forArrival: true });
  const reason = h('input', { id: 'arrival-reason', type: 'text', autocomplete: 'off' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Move arrival back');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const notes = notices();
  const form = h('form', { class: 'arrival-form', novalidate: true },
    h('div', { class: 'fields' },
      field('Arrival time', time.input),
      field('Reason for moving the arrival time', reason, ['required · ', charCount(reason, 'arrival_reason').node])),
    h('div', { class: 'form-actions' }, submit, cancel, notes.node));
  cancel.addEventListener('click', onCancel);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const saved = await save(submit, notes, async () => moveArrival({
      session_id: session.id,
      arrived_at: await time.instant(session.id),
      reason: reason.value,
    }));
    if (saved) onSaved();
  });
  queueMicrotask(() => time.input.select());
  return form;
}
