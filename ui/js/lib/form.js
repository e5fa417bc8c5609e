// Reading and building form inputs: entries the browser could not read, numbers, choice lists, role
// checkboxes.

import { h } from './dom.js';

/**
 * The browser hands over an unreadable entry ("7..5" in a number field) as an empty value, which
 * would chart nothing where the nurse typed something. Stop and say so instead.
 */
export function checkTyped(form, notes) {
  const bad = [...form.elements].find((element) => element.validity?.badInput);
  if (!bad) return true;
  const kind = bad.type === 'number' ? 'number' : bad.type;
  notes.clear();
  notes.error(`Check ${bad.labels[0].textContent}: what was typed is not a valid ${kind}.`);
  bad.focus();
  return false;
}

/**
 * A date field: shows and takes dates as the app prints them (YYYY-MM-DD), as plain text sent to the
 * core as typed. The core reads other forms that cannot be misread and refuses the rest in words
 * naming the field; a browser date picker would show the computer's order (MM/DD/YYYY) and turn
 * what was typed into another date without a word.
 */
export const dateInput = (id, value) => h('input', {
  id, type: 'text', inputmode: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'YYYY-MM-DD', value,
});

/** Empty stays null (the core says which fields are required); anything else is sent as a number. */
export const numberOrNull = (input) => (input.value === '' ? null : Number(input.value));

const ROLES = ['nurse', 'physician', 'admin'];

/** The roles whose checkbox is ticked, from `{role: checkbox}`, in the core's order. */
export const checkedRoles = (boxes) => ROLES.filter((role) => boxes[role]?.checked);

/** A list to choose from, starting on an empty "Choose…" so nothing is picked by accident. */
export function choiceSelect(id, choices, selected) {
  return h('select', { id },
    h('option', { value: '' }, 'Choose…'),
    choices.map((choice) => h('option', { value: choice.name, selected: choice.name === selected }, choice.label)));
}
