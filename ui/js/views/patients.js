// Patients screen: find a patient (recently added ones when the search is empty) or add a new one.

import { addPatient, searchPatients } from '../api.js';
import { field, h } from '../dom.js';
import { patientName, todayLocal } from '../format.js';
import { cameBack, checkTyped, notices, numberOrNull, patientHref, patientLine, save } from './common.js';

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

  const inputs = {
    family: h('input', { id: 'family-name', type: 'text', autocomplete: 'off', spellcheck: 'false' }),
    given: h('input', { id: 'given-names', type: 'text', autocomplete: 'off', spellcheck: 'false' }),
    dob: h('input', { id: 'date-of-birth', type: 'date', max: todayLocal(), placeholder: 'YYYY-MM-DD' }),
    mrn: h('input', { id: 'mrn', type: 'text', autocomplete: 'off', spellcheck: 'false' }),
    weight: h('input', { id: 'weight-kg', type: 'number', step: '0.1', min: '0', inputmode: 'decimal' }),
  };
  const addButton = h('button', { type: 'submit', class: 'primary' }, 'Add patient');
  const addNotes = notices();
  // novalidate: the core owns the rules and words them for the nurse; browser bubbles would not.
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'new-patient-heading' },
    h('h2', { id: 'new-patient-heading' }, 'New patient'),
    h('div', { class: 'fields' },
      field('Family name', inputs.family),
      field('Given names', inputs.given),
      field('Date of birth', inputs.dob),
      field('MRN', inputs.mrn),
      field('Weight (kg)', inputs.weight)),
    h('div', { class: 'form-actions' }, addButton, addNotes.node));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, addNotes)) return;
    const patient = await save(addButton, addNotes, () => addPatient({
      family_name: inputs.family.value,
      given_names: inputs.given.value,
      date_of_birth: inputs.dob.value,
      mrn: inputs.mrn.value,
      weight_kg: numberOrNull(inputs.weight),
    }));
    if (!patient) return;
    addNotes.saved(`Patient ${patientName(patient)} added`);
    form.reset();
    // Show the recent list, which now starts with the new patient, straight from the core.
    search.value = '';
    refresh();
    inputs.family.focus();
  });

  // Saves tabbing through up to 50 results to reach the form.
  const newPatient = h('button', { type: 'button', class: 'secondary' }, 'New patient');
  newPatient.addEventListener('click', () => {
    form.scrollIntoView({ block: 'start' });
    inputs.family.focus();
  });

  root.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', {}, 'Patients'), newPatient),
    h('div', { class: 'panel', role: 'search' },
      field('Search patients', search),
      searchNotes.node,
      resultsHeading,
      results),
    form);
  refresh();
  search.focus();
}

function resultItems(patients, query) {
  if (patients.length === 0) {
    const text = query ? `No patients match “${query}”.` : 'No patients yet. Add the first one below.';
    return [h('li', { class: 'empty' }, text)];
  }
  return patients.map((patient) => h('li', {}, h('a', { href: patientHref(patient.id) }, patientLine(patient))));
}
