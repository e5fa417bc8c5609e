// Signatures: the charting nurse signs, which locks the session; a physician then co-signs. Each is a
// deliberate second click on the page, after saying what signing does.

import { h } from '../../lib/dom.js';
import { timeOnDay } from '../../lib/format.js';
import { notices, save } from '../../lib/save.js';
import { cosignSession, signSession } from '../../shell/api.js';
import { hasRole } from '../../shell/state.js';

const STEPS = [
  {
    role: 'nurse',
    status: 'open',
    start: 'Sign session',
    explain: 'Signing locks this session; later corrections become addenda.',
    confirm: 'Confirm signature',
    request: signSession,
    done: 'Session signed',
  },
  {
    role: 'physician',
    status: 'signed',
    start: 'Co-sign session',
    explain: 'Co-signing records your review as the physician; later corrections become addenda.',
    confirm: 'Confirm co-signature',
    request: cosignSession,
    done: 'Session co-signed',
  },
];

/** `onSigned(record, message)` runs with the core's updated SessionRecord. */
export function signaturesSection(record, onSigned) {
  const { session, signatures } = record;
  const step = STEPS.find((s) => s.status === session.status && hasRole(s.role));
  const heading = h('h2', { id: 'signatures-heading', tabindex: '-1' }, 'Signatures');
  const notes = notices();
  const list = signatures.length === 0
    ? h('p', { class: 'empty' }, 'Not signed yet.')
    : h('ul', { class: 'signatures' }, signatures.map((s) => h('li', {}, signatureLine(s, session.session_date))));

  const node = h('section', { class: 'panel', 'aria-labelledby': 'signatures-heading' },
    heading,
    list,
    step && signControls(step, session, notes, onSigned),
    notes.node);
  return {
    node,
    /** Says what just happened and moves focus here, where the screen changed. */
    announce(message) {
      notes.saved(message);
      heading.focus();
    },
  };
}

function signatureLine(signature, day) {
  const verb = signature.role === 'physician' ? 'Co-signed by' : 'Signed by';
  return `${verb} ${signature.display_name} (${signature.role}) at ${timeOnDay(day, signature.signed_at)}`;
}

function signControls(step, session, notes, onSigned) {
  const start = h('button', { type: 'button', class: 'primary' }, step.start);
  const controls = h('div', { class: 'sign-controls' }, start);

  start.addEventListener('click', () => {
    const confirm = h('button', { type: 'button', class: 'primary' }, step.confirm);
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    // Only in the page while asked for, so its buttons never sit hidden among the others.
    const box = h('div', { class: 'confirm', role: 'group', 'aria-labelledby': 'sign-explain' },
      h('p', { id: 'sign-explain' }, step.explain),
      h('div', { class: 'form-actions' }, confirm, cancel));
    cancel.addEventListener('click', () => {
      box.remove();
      notes.clear();
      start.hidden = false;
      start.focus();
    });
    confirm.addEventListener('click', async () => {
      const signed = await save(confirm, notes, () => step.request(session.id));
      if (signed) onSigned(signed, step.done);
    });
    start.hidden = true;
    controls.append(box);
    confirm.focus();
  });
  return controls;
}
