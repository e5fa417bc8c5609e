// Patients screen: find a patient (recently added ones when the search is empty) or add a new one.

import { patientLine } from '../lib/display.js';
import { field, h } from '../lib/dom.js';
import { checkTyped } from '../lib/form.js';
import { patientName } from '../lib/format.js';
import { cameBack, load } from '../lib/lifecycle.js';
import { patientHref } from '../lib/links.js';
import { lists } from '../lib/lists.js';
import { patientFields, readPatient } from '../lib/patient-fields.js';
import { notices, save } from '../lib/save.js';
import { addPatient, searchPatients } from '../shell/api.js';

// Quick enough to feel live, slow enough not to ask the core on every keystroke.
const SEARCH_DELAY_MS = 150;

export function renderPatients(root) {
  const search = h('input', { id: 'patient-search', type: 'search', autocomplete: 'off', spellcheck: 'false' });
  const resultsHeading = h('h2', { id: 'patient-results-heading' });
  const results = h('ul', { class: 'link-list', 'aria-labelledby': 'patient-results-heading' });
  const searchNotes = notices();
  let timer;
  let latest = 0;

  async function refresh() {
    const query = search.value.trim();
    const ticket = ++latest;
    try {
      const patients = await searchPatients(query);
      if (ticket !== latest) return; // a newer search is under way; don't flash stale results
      searchNotes.clear();
      resultsHeading.textContent = query ? 'Matching patients' : 'Recently added';
      results.replaceChildren(...resultItems(patients, query));
    } catch (error) {
      if (await cameBack(results, error)) refresh();
      else if (ticket === latest) searchNotes.error(error.message);
    }
  }

  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, SEARCH_DELAY_MS);
  });

  // The form is built from the core's lists (sexes, indications, the screens) once they are here.
  const formSlot = h('div');
  let firstField = null;
  load(formSlot, lists).then((reference) => {
    if (!reference) return;
    const added = newPatientForm(reference, () => {
      // Show the recent list, which now starts with the new patient, straight from the core.
      search.value = '';
      refresh();
    });
    firstField = added.first;
    formSlot.replaceChildren(added.form);
  });

  // Saves tabbing through up to 50 results to reach the form.
  const newPatient = h('button', { type: 'button', class: 'secondary' }, 'New patient');
  newPatient.addEventListener('click', () => {
    formSlot.scrollIntoView({ block: 'start' });
    firstField?.focus();
  });

  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', {}, 'Patients'), newPatient),
    h('div', { class: 'panel', role: 'search' },
      field('Search patients', search, 'The start of the family name, given names or MRN'),
      searchNotes.node,
      resultsHeading,
      results),
    formSlot);
  refresh();
  search.focus();
}

/** The "New patient" form; `onAdded()` runs once the core has added one. */
function newPatientForm(reference, onAdded) {
  const fields = patientFields(reference, 'pf-');
  const addButton = h('button', { type: 'submit', class: 'primary' }, 'Add patient');
  const addNotes = notices();
  // novalidate: the core owns the rules and words them for the nurse; browser bubbles would not.
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'new-patient-heading' },
    h('h2', { id: 'new-patient-heading' }, 'New patient'),
    fields.nodes,
    h('div', { class: 'form-actions' }, addButton, addNotes.node));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, addNotes)) return;
    const patient = await save(addButton, addNotes, () => addPatient(readPatient(fields)));
    if (!patient) return;
    addNotes.saved(`Patient ${patientName(patient)} added`);
    form.reset();
    fields.reset();
    onAdded();
    fields.first.focus();
  });
  return { form, first: fields.first };
}

function resultItems(patients, query) {
  if (patients.length === 0) {
    const text = query ? `No patients match “${query}”.` : 'No patients yet. Add the first one below.';
    return [h('li', { class: 'empty' }, text)];
  }
  return patients.map((patient) => h('li', {}, h('a', { href: patientHref(patient.id) }, patientLine(patient))));
}
