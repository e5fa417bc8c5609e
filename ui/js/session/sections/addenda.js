// Addenda: once a session is signed nothing in it changes; what is added later is an addendum,
// with its author, time and reason.

import { charCount } from '../../lib/char-count.js';
import { field, h } from '../../lib/dom.js';
import { timeOnDay } from '../../lib/format.js';
import { notices, save } from '../../lib/save.js';
import { addAddendum } from '../../shell/api.js';

export function addendaSection(record) {
  const { session } = record;
  const list = h('div');
  const show = (addenda) => list.replaceChildren(addenda.length === 0
    ? h('p', { class: 'empty' }, 'No addenda.')
    : h('ol', { class: 'addenda' }, addenda.map((a) => h('li', {},
      h('p', { class: 'addendum-head' }, h('strong', {}, a.author), ` · ${timeOnDay(session.session_date, a.created_at)}`),
      h('p', {}, h('span', { class: 'addendum-label' }, 'Reason: '), a.reason),
      h('p', { class: 'addendum-text' }, a.text)))));
  show(record.addenda);

  return h('section', { class: 'panel', 'aria-labelledby': 'addenda-heading' },
    h('h2', { id: 'addenda-heading' }, 'Addenda'),
    list,
    session.status === 'open'
      ? h('p', { class: 'note' }, 'Addenda are added once the session is signed. Until then, correct a reading in the flowsheet.')
      : addendumForm(session, show));
}

function addendumForm(session, show) {
  const reason = h('input', { id: 'addendum-reason', type: 'text', autocomplete: 'off' });
  const text = h('textarea', { id: 'addendum-text', rows: '5' });
  const counts = [charCount(reason, 'addendum_reason'), charCount(text, 'addendum')];
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add addendum');
  const notes = notices();
  const form = h('form', { class: 'addendum-form', novalidate: true, 'aria-label': 'New addendum' },
    h('div', { class: 'fields stack' },
      field('Reason for addendum', reason, counts[0].node),
      field('Addendum', text, counts[1].node)),
    h('div', { class: 'form-actions' }, submit, notes.node));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const record = await save(submit, notes, () => addAddendum({ session_id: session.id, reason: reason.value, text: text.value }));
    if (!record) return;
    show(record.addenda);
    form.reset();
    for (const count of counts) count.update();
    notes.saved('Addendum added');
    reason.focus();
  });
  return form;
}
