// The vitals flowsheet. While the session is open each reading can be corrected, with a reason;
// the core keeps the old values in the audit trail and marks the row as corrected.

import { charCount } from '../../lib/char-count.js';
import { field, h } from '../../lib/dom.js';
import { checkTyped } from '../../lib/form.js';
import { localTime, reading } from '../../lib/format.js';
import { notices, save } from '../../lib/save.js';
import { correctVitals } from '../../shell/api.js';
import { readVitals, vitalsFields } from '../vitals-fields.js';

const COLUMNS = ['Time', 'BP', 'MAP', 'HR', 'SpO2', 'RR', 'Temp', 'EtCO2', 'Dissoc.', 'MOAA/S', 'Entered', 'By'];

/**
 * `editable`: offer a Correct button per row. `onCorrecting(vitals)` is told when a correction
 * form opens (with the reading) and closes (with null). After a correction `onChanged(notes)`
 * redraws the rest of the screen from the core's record (a correction can change the figures at a
 * glance, the alerts, the baseline hold and when vitals are next due) and resolves with that
 * record, or null once a failed read is said in `notes`; the table is then redrawn from it.
 */
export function flowsheet(record, { editable, onCorrecting, onChanged }) {
  const { session } = record;
  const columnCount = COLUMNS.length + (editable ? 1 : 0);
  const rows = h('tbody');
  const notes = notices();
  let open = null; // the correction form's row and the button that opened it

  function show(vitals) {
    if (vitals.length === 0) {
      rows.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: columnCount }, 'No vitals charted yet')));
      return;
    }
    rows.replaceChildren(...vitals.map(row));
  }

  function row(v) {
    const timeId = `vitals-${v.id}-time`;
    return h('tr', { 'data-vitals-id': v.id },
      h('th', { scope: 'row', id: timeId },
        localTime(v.clinical_time),
        v.corrected && h('span', { class: 'tag', title: 'Corrected before signing; the audit trail keeps the values it replaced' }, 'corrected'),
        v.late && h('span', { class: 'tag', title: 'Charted long after its clinical time; the Entered column has the real entry time' }, 'late entry')),
      marked(`${v.sbp}/${v.dbp}`, v.beyond?.bp),
      h('td', {}, reading(v.map, 0)),
      marked(reading(v.hr), v.beyond?.hr),
      marked(reading(v.spo2), v.beyond?.spo2),
      h('td', {}, reading(v.rr)),
      h('td', {}, reading(v.temp_c, 1)),
      h('td', {}, reading(v.etco2)),
      h('td', {}, reading(v.dissociation)),
      h('td', {}, reading(v.moaas)),
      h('td', { class: 'entered' }, localTime(v.recorded_at)),
      h('td', { class: 'by' }, v.entered_by),
      editable && h('td', { class: 'row-action' }, correctButton(v, timeId)));
  }

  /** A value beyond the clinic's threshold: in colour, and in a word that reads in black and white. */
  function marked(value, mark) {
    if (!mark) return h('td', {}, value);
    return h('td', { class: 'beyond', title: mark.why },
      value, ' ', h('strong', { class: 'beyond-word' }, mark.word),
      h('span', { class: 'visually-hidden' }, ` (${mark.why})`));
  }

  function correctButton(v, timeId) {
    const button = h('button', { type: 'button', class: 'secondary small', 'aria-describedby': timeId }, 'Correct');
    button.addEventListener('click', () => {
      close(false);
      const { form, first } = correctionForm(v);
      const formRow = h('tr', { class: 'correction-row' }, h('td', { colspan: columnCount }, form));
      button.closest('tr').after(formRow);
      open = { formRow, button };
      onCorrecting(v);
      first.focus();
    });
    return button;
  }

  function close(refocus) {
    if (!open) return;
    open.formRow.remove();
    if (refocus) open.button.focus();
    open = null;
    onCorrecting(null);
  }

  function correctionForm(v) {
    const vitals = vitalsFields('-correction', v);
    const reason = h('input', { id: 'correction-reason', type: 'text', required: true, autocomplete: 'off' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Save correction');
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const formNotes = notices();
    const form = h('form', { class: 'correction', novalidate: true, 'aria-labelledby': 'correction-heading' },
      h('h3', { id: 'correction-heading' }, `Correct the ${localTime(v.clinical_time)} reading`),
      vitals.node,
      h('div', { class: 'fields reason-field' }, field('Reason for correction', reason, ['required · ', charCount(reason, 'correction_reason').node])),
      h('div', { class: 'form-actions' }, submit, cancel, formNotes.node));

    cancel.addEventListener('click', () => close(true));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!checkTyped(form, formNotes)) return;
      const saved = await save(submit, formNotes, async () => correctVitals({
        vitals_id: v.id,
        reason: reason.value,
        vitals: { session_id: session.id, ...await readVitals(vitals, session.id) },
      }));
      if (!saved) return;
      close(false);
      notes.clear();
      notes.saved(`Correction saved for the ${localTime(saved.clinical_time)} reading`);
      const fresh = await onChanged(notes);
      if (fresh) show(fresh.vitals);
      rows.querySelector(`tr[data-vitals-id="${saved.id}"] button`)?.focus();
    });
    return { form, first: vitals.time.input };
  }

  show(record.vitals);
  const head = COLUMNS.map((name) => h('th', { scope: 'col' }, name));
  if (editable) head.push(h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Correct')));
  const node = h('div', { class: 'flowsheet-section' },
    notes.node,
    h('div', { class: 'table-scroll' },
      h('table', { class: 'flowsheet' },
        h('caption', {}, 'Vitals flowsheet'),
        h('thead', {}, h('tr', {}, head)),
        rows)));
  return { node, show };
}
