// Timestamped notes of a session, in the nurse's words; added while the session is open.

import { charCount } from '../../lib/char-count.js';
import { field, h } from '../../lib/dom.js';
import { checkTyped } from '../../lib/form.js';
import { localTime } from '../../lib/format.js';
import { notices, save } from '../../lib/save.js';
import { addNote } from '../../shell/api.js';
import { clockTime, lateTag } from '../clinical-time.js';

/**
 * The section. `show(record)` redraws the notes from the core's record and keeps the form as typed;
 * after a save `onChange(notes)` redraws the screen from the core's fresh record.
 */
export function notesSection(record, onChange) {
  const { session } = record;
  const list = h('div');
  const show = ({ notes }) => list.replaceChildren(notes.length === 0
    ? h('p', { class: 'empty' }, 'No notes yet.')
    : h('ol', { class: 'notes' }, notes.map((n) => h('li', {},
      h('p', { class: 'note-head' }, h('strong', {}, localTime(n.clinical_time)), ` · ${n.author}`, lateTag(n)),
      h('p', {}, n.text)))));
  show(record);
  const node = h('section', { class: 'panel', 'aria-labelledby': 'notes-heading' },
    h('h2', { id: 'notes-heading' }, 'Notes'),
    list,
    session.status === 'open' && noteForm(session, onChange));
  return { node, show };
}

function noteForm(session, onChange) {
  const time = clockTime('note-time');
  const text = h('textarea', { id: 'note-text', rows: '3' });
  const count = charCount(text, 'note');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add note');
  const notes = notices();
  const form = h('form', { novalidate: true },
    h('div', { class: 'fields' }, field('Note time', time.input)),
    h('div', { class: 'fields stack' }, field('Note', text, count.node)),
    h('div', { class: 'form-actions' }, submit, notes.node));
  form.addEventListener('focusin', time.catchUp);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const saved = await save(submit, notes, async () => addNote({
      session_id: session.id,
      clinical_time: await time.instant(session.id),
      text: text.value,
    }));
    if (!saved) return;
    notes.saved(`Note saved at ${localTime(saved.recorded_at)}`);
    text.value = '';
    count.update();
    time.reset();
    onChange(notes);
  });
  return form;
}
