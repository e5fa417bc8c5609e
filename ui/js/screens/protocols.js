// Protocols: the clinic's drug library (dose, limits, cadence, holds, outcome scales), listed with
// every version kept, and edited one protocol at a time. The core checks every figure.

import { charCount } from '../lib/char-count.js';
import { checkbox, field, h } from '../lib/dom.js';
import { checkTyped, numberOrNull } from '../lib/form.js';
import { load } from '../lib/lifecycle.js';
import { lists, scaleLabel } from '../lib/lists.js';
import { notices, save } from '../lib/save.js';
import { allProtocols, saveProtocol } from '../shell/api.js';

const TEXTS = [['name', 'Protocol name'], ['drug', 'Drug'], ['route', 'Route']];

// [field, label, step, hint]
const NUMBERS = [
  ['dose_mg_per_kg', 'Dose (mg/kg)', '0.01'],
  ['duration_min', 'Duration (min)', '1'],
  ['concentration_mg_per_ml', 'Concentration (mg/mL)', '0.01'],
  ['soft_limit_mg_per_kg', 'Soft limit (mg/kg)', '0.01', 'above: a physician confirms with a reason'],
  ['hard_limit_mg_per_kg', 'Hard limit (mg/kg)', '0.01', 'above: refused'],
  ['vitals_every_min', 'Vitals every (min)', '1'],
  ['observation_min', 'Observation after infusion (min)', '1'],
  ['hold_sbp', 'Hold above systolic BP (mmHg)', '1'],
  ['hold_dbp', 'Hold above diastolic BP (mmHg)', '1'],
];

const COLUMNS = ['Name', 'Drug / route', 'Dose', 'Concentration', 'Limits (mg/kg)', 'Vitals',
  'Observation', 'Hold BP', 'Outcome scales', 'Status', 'Actions'];

const EXAMPLE_KG = 70;

export async function renderProtocols(root) {
  const page = h('div');
  root.replaceChildren(
    h('h1', {}, 'Protocols'),
    h('p', { class: 'panel note protocols-intro' },
      'Every change is kept in the audit trail. Sessions already started keep the dose they were started with. '
      + 'A retired protocol stays for the sessions that used it but starts no new ones.'),
    page);
  // The scale labels are needed for both the table and the editor.
  const reference = await load(page, lists);
  if (reference) page.replaceChildren(...library(reference.scales));
}

/** The table and, under it, the one open editor: opening another replaces it. */
function library(scales) {
  const table = h('div', { class: 'table-scroll' });
  const editor = h('div');
  const add = h('button', { type: 'button', class: 'secondary' }, 'New protocol');

  const refresh = async () => {
    const protocols = await load(table, allProtocols);
    if (protocols) table.replaceChildren(protocolTable(protocols, scales, open));
  };
  function open(protocol) {
    editor.replaceChildren(protocolEditor(protocol, scales, {
      saved: refresh,
      close: () => { editor.replaceChildren(); add.focus(); },
    }));
    editor.querySelector('input').focus();
  }

  add.addEventListener('click', () => open(null));
  refresh();
  return [
    h('section', { class: 'panel', 'aria-labelledby': 'protocols-heading' },
      h('h2', { id: 'protocols-heading' }, 'Protocol library'),
      table,
      add),
    editor,
  ];
}

function protocolTable(protocols, scales, edit) {
  const row = (p) => {
    const nameId = `protocol-${p.id}-name`;
    const button = h('button', { type: 'button', class: 'secondary small', 'aria-describedby': nameId }, 'Edit');
    button.addEventListener('click', () => edit(p));
    return h('tr', { class: p.active ? null : 'inactive' },
      h('th', { scope: 'row', id: nameId }, p.name),
      h('td', {}, `${p.drug} · ${p.route}`),
      h('td', {}, `${p.dose_mg_per_kg} mg/kg over ${p.duration_min} min`),
      h('td', {}, `${p.concentration_mg_per_ml} mg/mL`),
      h('td', {}, `soft ${p.soft_limit_mg_per_kg} · hard ${p.hard_limit_mg_per_kg}`),
      h('td', {}, `every ${p.vitals_every_min} min`),
      h('td', {}, `${p.observation_min} min`),
      h('td', {}, `above ${p.hold_sbp}/${p.hold_dbp}`),
      h('td', {}, p.outcome_scales.map((name) => scaleLabel(scales, name)).join(', ') || '—'),
      h('td', {}, h('span', { class: `badge ${p.active ? 'protocol-active' : 'protocol-retired'}` }, p.active ? 'Active' : 'Retired')),
      h('td', {}, button));
  };
  return h('table', { class: 'data-table protocols' },
    h('caption', { class: 'visually-hidden' }, 'Protocols'),
    h('thead', {}, h('tr', {}, COLUMNS.map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, protocols.length
      ? protocols.map(row)
      : h('tr', { class: 'empty' }, h('td', { colspan: COLUMNS.length }, 'No protocols yet.'))));
}

/** The form for one protocol (null: a new one). After a save it goes on editing what was saved. */
function protocolEditor(protocol, scales, { saved, close }) {
  let id = protocol?.id ?? null;
  const inputs = {};
  // Counted against the core's limits protocol_name, protocol_drug and protocol_route.
  const counts = [];
  const textFields = TEXTS.map(([key, label]) => {
    inputs[key] = h('input', { id: `protocol-${key}`, type: 'text', autocomplete: 'off' });
    const count = charCount(inputs[key], `protocol_${key}`);
    counts.push(count);
    return field(label, inputs[key], count.node);
  });
  textFields[0].classList.add('wide'); // names are long and say the dose; a cut-off one misleads
  const numberFields = NUMBERS.map(([key, label, step, hint]) => {
    inputs[key] = h('input', {
      id: `protocol-${key.replaceAll('_', '-')}`, type: 'number', min: '0', step,
      inputmode: step === '1' ? 'numeric' : 'decimal',
    });
    return field(label, inputs[key], hint);
  });
  const boxes = Object.fromEntries(scales.map(({ scale }) =>
    [scale, h('input', { id: `protocol-scale-${scale}`, type: 'checkbox', value: scale })]));
  const active = h('input', { id: 'protocol-active', type: 'checkbox' });

  const heading = h('h2', { id: 'protocol-editor-heading' });
  const example = h('ol', { class: 'arithmetic' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save protocol');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Close');
  const notes = notices();
  const form = h('form', { class: 'protocol-editor', novalidate: true, 'aria-labelledby': 'protocol-editor-heading' },
    h('div', { class: 'fields' }, textFields, numberFields),
    h('fieldset', { class: 'checks' },
      h('legend', {}, 'Outcome scales taken before each infusion'),
      scales.map(({ scale, label }) => checkbox(label, boxes[scale]))),
    checkbox('Active (new sessions may use it)', active),
    h('div', { class: 'form-actions' }, submit, cancel, notes.node));

  const showExample = () => example.replaceChildren(...exampleLines(
    positive(inputs.dose_mg_per_kg), positive(inputs.concentration_mg_per_ml), positive(inputs.duration_min),
  ).map((line) => h('li', {}, line)));

  function fill(p) {
    for (const key of Object.keys(inputs)) inputs[key].value = p?.[key] ?? '';
    for (const [scale, box] of Object.entries(boxes)) box.checked = p?.outcome_scales.includes(scale) ?? false;
    active.checked = p?.active ?? true;
    for (const count of counts) count.update();
    heading.textContent = p ? `Edit ${p.name}` : 'New protocol';
    showExample();
  }
  fill(protocol);

  for (const key of ['dose_mg_per_kg', 'concentration_mg_per_ml', 'duration_min']) {
    inputs[key].addEventListener('input', showExample);
  }
  cancel.addEventListener('click', close);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const result = await save(submit, notes, () => saveProtocol({
      protocol_id: id,
      ...Object.fromEntries(TEXTS.map(([key]) => [key, inputs[key].value.trim()])),
      ...Object.fromEntries(NUMBERS.map(([key]) => [key, numberOrNull(inputs[key])])),
      outcome_scales: scales.filter(({ scale }) => boxes[scale].checked).map(({ scale }) => scale),
      active: active.checked,
    }));
    if (!result) return;
    // A new protocol now has an id: saving again changes it instead of adding a second one.
    id = result.id;
    fill(result);
    saved();
    notes.saved(`Protocol ${result.name} saved${result.active ? '' : ' (retired: kept for past sessions, not offered for new ones)'}.`);
  });

  return h('section', { class: 'panel', 'aria-labelledby': 'protocol-editor-heading' },
    heading,
    form,
    h('div', { class: 'dose-example', role: 'group', 'aria-labelledby': 'dose-example-heading' },
      h('h3', { id: 'dose-example-heading' }, `Example for ${EXAMPLE_KG} kg`),
      h('p', { class: 'meta' }, "Display only: each session's dose is worked out from the patient's own weight when it starts."),
      example));
}

/** A figure usable in the example, or null while it is empty, unreadable or not above zero. */
function positive(input) {
  const n = numberOrNull(input);
  return Number.isFinite(n) && n > 0 ? n : null;
}

// Rounded only for display; each step works from the unrounded figure before it.
const figure = (n) => String(Number(n.toFixed(2)));

/** The arithmetic as far as the typed figures allow: mg, then mL, then mL/h. */
function exampleLines(dose, concentration, duration) {
  if (dose === null) return ['Type a dose to see the example.'];
  const mg = EXAMPLE_KG * dose;
  const lines = [`${EXAMPLE_KG} kg × ${dose} mg/kg = ${figure(mg)} mg`];
  if (concentration === null) return [...lines, 'Type a concentration to see the volume.'];
  const ml = mg / concentration;
  lines.push(`${figure(mg)} mg ÷ ${concentration} mg/mL = ${figure(ml)} mL`);
  if (duration === null) return [...lines, 'Type a duration to see the rate.'];
  return [...lines, `${figure(ml)} mL over ${duration} min = ${figure((ml * 60) / duration)} mL/h`];
}
