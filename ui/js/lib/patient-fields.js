// The patient's details as one set of fields, shared by "New patient" (screens/patients.js) and
// "Edit details" (screens/patient.js): identity, weight in an explicit unit, allergies, indication,
// contacts, and the contraindication screen and flagged medications as ticks. The core checks every
// answer.

import { charCount } from './char-count.js';
import { checkbox, field, h } from './dom.js';
import { choiceSelect, dateInput, numberOrNull } from './form.js';

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
 * buttons), `first` to focus, and what `readPatient` needs. Weight is edited as it was typed, in its unit.
 */
export function patientFields(lists, prefix, patient = null) {
  const id = (name) => `${prefix}${name}`;
  const inputs = {
    family: textInput(id('family-name'), patient?.family_name, false),
    given: textInput(id('given-names'), patient?.given_names, false),
    dob: dateInput(id('date-of-birth'), patient?.date_of_birth),
    mrn: textInput(id('mrn'), patient?.mrn, false),
    sex: choiceSelect(id('sex'), lists.sexes, patient?.sex),
    weight: h('input', {
      id: id('weight'), type: 'number', step: '0.1', min: '0', inputmode: 'decimal', value: patient?.weight.value,
    }),
    unit: choiceSelect(id('weight-unit'), WEIGHT_UNITS, patient?.weight.unit),
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

  // Each limited text with its count against the core's limit of the same name.
  const counts = Object.fromEntries([
    ['family', 'family_name'], ['given', 'given_names'], ['mrn', 'mrn'], ['allergies', 'allergies'],
    ['other', 'indication_other'], ['contact', 'emergency_contact'], ['escort', 'escort'],
  ].map(([input, limit]) => [input, charCount(inputs[input], limit)]));
  const counted = (label, input, hint) => field(label, inputs[input], hint ? [hint, ' · ', counts[input].node] : counts[input].node);
  const allergiesField = counted('Allergies', 'allergies', 'Write "None known" if there are none');
  allergiesField.classList.add('wide');
  // Only asked for when it counts, so the form stays short for the usual indications.
  const otherField = counted('Other indication', 'other');
  const showOther = () => { otherField.hidden = inputs.indication.value !== 'other'; };
  inputs.indication.addEventListener('change', showOther);
  showOther();

  return {
    inputs,
    contraindications,
    medications,
    first: inputs.family,
    // After form.reset() the selects are back to their first choice and the texts empty; the other
    // field and the counts follow.
    reset() {
      showOther();
      for (const count of Object.values(counts)) count.update();
    },
    nodes: [
      h('div', { class: 'fields' },
        counted('Family name', 'family'),
        counted('Given names', 'given'),
        field('Date of birth', inputs.dob),
        counted('MRN', 'mrn'),
        field('Sex', inputs.sex),
        field('Weight', inputs.weight),
        field('Weight unit', inputs.unit),
        field('Height (cm)', inputs.height),
        allergiesField,
        field('Indication', inputs.indication),
        otherField,
        counted('Emergency contact', 'contact'),
        counted('Usual escort', 'escort')),
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
