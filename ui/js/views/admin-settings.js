// Settings: the clinic's policy values (auto-lock, charting timings, alert thresholds), one form.

import { getSettings, updateSettings } from '../api.js';
import { field, h } from '../dom.js';
import { setAutoLockMinutes } from '../session-state.js';
import { checkTyped, load, notices, numberOrNull, save } from './common.js';

// [heading, [[setting, label, min, max]]]. The ranges are only hints: the core checks every value.
const GROUPS = [
  ['Screen', [
    ['auto_lock_minutes', 'Auto-lock after (minutes)', 1, 30],
  ]],
  ['Charting', [
    ['late_entry_minutes', 'Late entry after (minutes)', 1, 240],
    ['recovery_vitals_every_min', 'Recovery vitals every (minutes)', 1, 120],
    ['discharge_min_aldrete', 'Discharge at Aldrete score of at least', 5, 10],
  ]],
  ['Alert rules', [
    ['high_sbp', 'High BP: systolic above (mmHg)', 120, 250],
    ['high_dbp', 'High BP: diastolic above (mmHg)', 70, 150],
    ['high_bp_window_min', 'High BP twice within (minutes)', 1, 60],
    ['severe_sbp', 'Severe BP: systolic above (mmHg)', 140, 300],
    ['severe_dbp', 'Severe BP: diastolic above (mmHg)', 80, 180],
    ['high_hr', 'Heart rate above (bpm)', 80, 200],
    ['high_hr_sustained_min', 'Heart rate high for (minutes)', 1, 60],
    ['low_spo2', 'SpO2 below (%)', 80, 99],
  ]],
];

export function settingsSection() {
  const body = h('div');
  load(body, getSettings).then((settings) => settings && body.replaceChildren(settingsForm(settings)));
  return h('section', { class: 'panel', 'aria-labelledby': 'settings-heading' },
    h('h2', { id: 'settings-heading' }, 'Settings'),
    body);
}

/** The core nests the alert thresholds under `alerts` but takes them back flat, as the form keeps them. */
const flatten = (settings) => ({ ...settings, ...settings.alerts });

function settingsForm(settings) {
  const inputs = {};
  const groups = GROUPS.map(([heading, rows], index) => {
    const headingId = `settings-group-${index}`;
    return h('div', { class: 'settings-group', role: 'group', 'aria-labelledby': headingId },
      h('h3', { id: headingId }, heading),
      h('div', { class: 'fields' }, rows.map(([key, label, min, max]) => {
        inputs[key] = h('input', {
          id: `setting-${key.replaceAll('_', '-')}`, type: 'number', min, max, step: '1', inputmode: 'numeric',
        });
        return field(label, inputs[key], `${min} to ${max}`);
      })));
  });
  const fill = (values) => {
    const flat = flatten(values);
    for (const [key, input] of Object.entries(inputs)) input.value = flat[key];
  };
  fill(settings);

  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save settings');
  const notes = notices();
  const form = h('form', { novalidate: true, 'aria-labelledby': 'settings-heading' },
    groups,
    h('div', { class: 'form-actions' }, submit, notes.node));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    // Every field goes, as typed: an emptied one is null, which the core leaves unchanged.
    const typed = Object.fromEntries(Object.entries(inputs).map(([key, input]) => [key, numberOrNull(input)]));
    const saved = await save(submit, notes, () => updateSettings(typed));
    if (!saved) return;
    fill(saved);
    const n = saved.auto_lock_minutes;
    // This screen's own timer follows the new setting at once, as the core's does.
    setAutoLockMinutes(n);
    notes.saved(`Settings saved: screens lock after ${n} ${n === 1 ? 'minute' : 'minutes'} without activity.`);
  });
  return form;
}
