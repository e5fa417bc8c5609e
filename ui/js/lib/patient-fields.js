// The patient's details as one set of fields, shared by "New patient" (screens/patients.js) and
// "Edit details" (screens/patient.js): identity, weight in an explicit unit, allergies, indication,
// contacts, and the contraindication screen and flagged medications as ticks. The core checks every
// answer.

import { checkbox, field, h } from './dom.js';
import { choiceSelect, numberOrNull } from './form.js';
import { todayLocal } from './format.js';

const WEIGHT_UNITS = [{ name: 'kg', label: 'kg' }, { name: 'lb', label: 'lb' }];

// Names and codes are not words: a spell-checker would only underline them.
const textInput = (id, value, spellcheck = true) =>
  h('input', { id, type: 'text', autocomplete: 'off', spellcheck: spellcheck ? null : 'false', value });

/** One checkbox per choice, ticked where `ticked` names it; `names()` gives the ticked names in list order. */
function ticks(legend, choices, ticked, idOf) {
  const boxes = choices.map((choice) => ({
    choice,
    input: h('input', { id: idOf(choice.name), type: 'checkbox', checked: ticked.includes(choice.name) }),
  }));
  return {
    node: h('fieldset', { class: 'checks' }, h('legend', {}, legend),
      boxes.map(({ choice, input }) => checkbox(choice.label, input))),
    names: () => boxes.filter(({ input }) => input.checked).map(({ choice }) => choice.name),
  };
}

/**
 * The fields, filled from `patient` (a stored Patient) when editing. `prefix` keeps ids distinct
 * ('pf-' new, 'pe-' edit). Returns `nodes` to place in a form (the fieldsets last, before the
 * buttons), `first` to focus, and what `readPatient` needs. Weight is edited in kg, as stored.
 */
export function patientFields(lists, prefix, patient = null) {
  const id = (name) => `${prefix}${name}`;
  const inputs = {
    family: textInput(id('family-name'), patient?.family_name, false),
    given: textInput(id('given-names'), patient?.given_names, false),
    dob: h('input', {
      id: id('date-of-birth'), type: 'date', max: todayLocal(), placeholder: 'YYYY-MM-DD', value: patient?.date_of_birth,
    }),
    mrn: textInput(id('mrn'), patient?.mrn, false),
    sex: choiceSelect(id('sex'), lists.sexes, patient?.sex),
    weight: h('input', {
      id: id('weight'), type: 'number', step: '0.1', min: '0', inputmode: 'decimal', value: patient?.weight_kg,
    }),
    unit: choiceSelect(id('weight-unit'), WEIGHT_UNITS, patient && 'kg'),
    height: h('input', {
      id: id('height'), type: 'number', step: '1', min: '0', inputmode: 'numeric', value: patient?.height_cm,
    }),
    allergies: textInput(id('allergies'), patient?.allergies),
    indication: choiceSelect(id('indication'), lists.indications, patient?.indication),
    other: textInput(id('indication-other'), patient?.indication_other),
    contact: textInput(id('emergency-contact'), patient?.emergency_contact),
    escort: textInput(id('escort'), patient?.escort),
  };
  const contraindications = ticks('Contraindication screen (tick any that apply)', lists.contraindications,
    patient?.contraindications ?? [], (name) => id(`contra-${name}`));
  const medications = ticks('Medications that matter (tick any the patient takes)', lists.flagged_medications,
    patient?.flagged_medications ?? [], (name) => id(`med-${name}`));

  const allergiesField = field('Allergies', inputs.allergies, 'Write "None known" if there are none');
  allergiesField.classList.add('wide');
  // Only asked for when it counts, so the form stays short for the usual indications.
  const otherField = field('Other indication', inputs.other);
  const showOther = () => { otherField.hidden = inputs.indication.value !== 'other'; };
  inputs.indication.addEventListener('change', showOther);
  showOther();

  return {
    inputs,
    contraindications,
    medications,
    first: inputs.family,
    // After form.reset() the selects are back to their first choice; the other field follows.
    reset: showOther,
    nodes: [
      h('div', { class: 'fields' },
        field('Family name', inputs.family),
        field('Given names', inputs.given),
        field('Date of birth', inputs.dob),
        field('MRN', inputs.mrn),
        field('Sex', inputs.sex),
        field('Weight', inputs.weight),
        field('Weight unit', inputs.unit),
        field('Height (cm)', inputs.height),
        allergiesField,
        field('Indication', inputs.indication),
        otherField,
        field('Emergency contact', inputs.contact),
        field('Usual escort', inputs.escort)),
      contraindications.node,
      medications.node,
    ],
  };
}

/**
 * The PatientInput as typed. Text goes as typed; an unchosen select goes as null, so the core
 * names the missing choice (an empty string would not be one of its names).
 */
export function readPatient({ inputs, contraindications, medications }) {
  return {
    family_name: inputs.family.value,
    given_names: inputs.given.value,
    date_of_birth: inputs.dob.value,
    mrn: inputs.mrn.value,
    sex: inputs.sex.value || null,
    weight: numberOrNull(inputs.weight),
    weight_unit: inputs.unit.value || null,
    height_cm: numberOrNull(inputs.height),
    allergies: inputs.allergies.value,
    indication: inputs.indication.value || null,
    indication_other: inputs.other.value,
    emergency_contact: inputs.contact.value,
    escort: inputs.escort.value,
    contraindications: contraindications.names(),
    flagged_medications: medications.names(),
  };
}
