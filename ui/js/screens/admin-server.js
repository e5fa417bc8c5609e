// The clinic server: where this laptop stands with it, or, on a laptop working alone, joining it
// with the address `infusion-chart server add-laptop` printed for this laptop and the clinic's CA
// certificate. This laptop's whole history is then shared with the clinic.

import { field, h } from '../lib/dom.js';
import { localDateTime } from '../lib/format.js';
import { load } from '../lib/lifecycle.js';
import { notices, save } from '../lib/save.js';
import { joinClinic, sharingState } from '../shell/api.js';

export function serverSection() {
  const body = h('div');
  const draw = (state) => body.replaceChildren(...(state.laptop ? standing(state) : [joinForm(draw)]));
  load(body, sharingState).then((state) => state && draw(state));
  return h('section', { class: 'panel', 'aria-labelledby': 'server-heading' },
    h('h2', { id: 'server-heading' }, 'Clinic server'),
    body);
}

function standing(state) {
  const fact = (term, ...value) => [h('dt', {}, term), h('dd', {}, ...value)];
  const when = (at) => (at ? localDateTime(at) : '—');
  return [
    h('dl', { class: 'facts', id: 'server-facts' },
      ...fact('This laptop', state.laptop),
      ...fact('Server', h('span', { class: 'path' }, state.server_url)),
      ...fact('Changes waiting to be shared', String(state.waiting)),
      ...fact('Last shared', when(state.last_shared_at)),
      ...(state.unreachable_since ? fact('Server unreachable since', when(state.unreachable_since)) : []),
      ...(state.last_error ? fact('Last problem', state.last_error) : [])),
  ];
}

function joinForm(draw) {
  const url = h('input', { id: 'server-url', type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const ca = h('textarea', { id: 'server-ca', rows: '6', spellcheck: 'false' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Join the clinic server');
  const notes = notices();
  const form = h('form', { novalidate: true },
    h('p', {}, 'This laptop works alone. To share its record with the clinic\'s other laptops, the server\'s '
      + 'admin enrols it (infusion-chart server add-laptop) and gives you its address and the clinic\'s CA '
      + 'certificate. This laptop\'s whole history is then shared; charting goes on while it is sent.'),
    h('div', { class: 'fields stack' },
      field('Server address', url, 'as add-laptop printed it'),
      field('Clinic CA certificate', ca, 'the PEM text, from -----BEGIN CERTIFICATE-----')),
    h('div', { class: 'form-actions' }, submit, notes.node));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const joined = await save(submit, notes, () => {
      notes.working('Joining the clinic server…');
      return joinClinic(url.value.trim(), ca.value);
    });
    if (joined) draw(joined);
  });
  return form;
}
