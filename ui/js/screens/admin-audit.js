// Audit trail: who did what, when, to which record, old → new. Search it, check that nothing in it
// was altered, and export it as CSV for an inspector.

import { field, h } from '../lib/dom.js';
import { checkTyped, dateInput, numberOrNull } from '../lib/form.js';
import { localDateTime } from '../lib/format.js';
import { load } from '../lib/lifecycle.js';
import { lists } from '../lib/lists.js';
import { notices, save } from '../lib/save.js';
import { auditExport, auditSearch, auditVerify, chooseCsvPath } from '../shell/api.js';

// The most entries one search returns (CONTRACT.md); exports have no limit.
const SEARCH_LIMIT = 500;

const COLUMNS = ['Time', 'User', 'Action', 'Table', 'Record', 'Patient', 'Old → new', 'Detail'];

export function auditSection() {
  const inputs = {
    user: h('input', { id: 'audit-user', type: 'text', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' }),
    patient: h('input', { id: 'audit-patient', type: 'number', min: '1', step: '1', inputmode: 'numeric' }),
    action: h('select', { id: 'audit-action' }, h('option', { value: '' }, 'Any action')),
    from: dateInput('audit-from'),
    to: dateInput('audit-to'),
  };
  const notes = notices();
  // The actions come from the core, so a new kind of audit row is always in the filter.
  lists().then(({ audit_actions: actions }) => inputs.action.append(
    ...actions.map((action) => h('option', { value: action.name }, action.label))))
    .catch((error) => notes.error(error.message));
  const search = h('button', { type: 'submit', class: 'primary' }, 'Search audit');
  const exportCsv = h('button', { type: 'button', class: 'secondary' }, 'Export CSV');
  const form = h('form', { novalidate: true, role: 'search', 'aria-label': 'Audit trail filters' },
    h('div', { class: 'fields' },
      field('User', inputs.user, 'username'),
      field('Patient id', inputs.patient),
      field('Action', inputs.action),
      field('From', inputs.from),
      field('To', inputs.to)),
    h('div', { class: 'form-actions' }, search, exportCsv, notes.node));
  const results = h('div', { class: 'audit-results' });

  // Only the filters that are filled in are sent; the core takes every one as optional.
  function filters() {
    const chosen = {
      username: inputs.user.value.trim(),
      patient_id: numberOrNull(inputs.patient),
      action: inputs.action.value,
      from: inputs.from.value,
      to: inputs.to.value,
    };
    return Object.fromEntries(Object.entries(chosen).filter(([, value]) => value !== '' && value !== null));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const entries = await save(search, notes, () => auditSearch(filters()));
    if (entries) showEntries(results, entries);
  });

  exportCsv.addEventListener('click', async () => {
    if (!checkTyped(form, notes)) return;
    const path = await save(exportCsv, notes, chooseCsvPath);
    if (!path) return; // cancelled, or the dialog's failure is already shown
    const exported = await save(exportCsv, notes, () => auditExport(filters(), path));
    if (exported) notes.saved(`Exported ${exported.rows} ${exported.rows === 1 ? 'row' : 'rows'} to ${exported.path}`);
  });

  load(results, () => auditSearch({})).then((entries) => entries && showEntries(results, entries));
  return h('section', { class: 'panel', 'aria-labelledby': 'audit-heading' },
    h('h2', { id: 'audit-heading' }, 'Audit trail'),
    verifyControls(),
    form,
    results);
}

function verifyControls() {
  const verify = h('button', { type: 'button', class: 'secondary' }, 'Verify audit trail');
  const notes = notices();
  verify.addEventListener('click', async () => {
    const result = await save(verify, notes, auditVerify);
    if (!result) return;
    if (result.intact) notes.saved(result.message);
    else notes.error(result.message);
  });
  return h('div', { class: 'form-actions verify' }, verify, notes.node);
}

function showEntries(results, entries) {
  const count = entries.length >= SEARCH_LIMIT
    ? `The newest ${entries.length} entries. Narrow the filters, or export, to see older ones.`
    : `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, newest first.`;
  const body = entries.length === 0
    ? [h('tr', { class: 'empty' }, h('td', { colspan: COLUMNS.length }, 'No entries match these filters.'))]
    : entries.map(entryRow);
  results.replaceChildren(
    h('p', { class: 'meta', role: 'status' }, count),
    h('div', { class: 'table-scroll' },
      h('table', { class: 'data-table audit' },
        h('caption', {}, 'Audit entries'),
        h('thead', {}, h('tr', {}, COLUMNS.map((name) => h('th', { scope: 'col' }, name)))),
        h('tbody', {}, body))));
}

function entryRow(entry) {
  const blank = (value) => value ?? '—';
  const changed = entry.old_value != null || entry.new_value != null;
  return h('tr', { 'data-audit-id': entry.id },
    h('td', { class: 'when' }, h('time', { datetime: entry.at_utc }, localDateTime(entry.at_utc, true))),
    h('td', {}, blank(entry.username), entry.laptop && h('span', { class: 'meta' }, ` (laptop ${entry.laptop})`)),
    h('td', {}, entry.action),
    h('td', {}, blank(entry.table_name)),
    h('td', {}, blank(entry.record_id)),
    h('td', {}, blank(entry.patient_id)),
    h('td', { class: 'change' }, changed
      ? [h('code', {}, blank(entry.old_value)), h('span', { class: 'arrow' }, ' → '), h('code', {}, blank(entry.new_value))]
      : '—'),
    h('td', { class: 'detail' }, blank(entry.detail)));
}
