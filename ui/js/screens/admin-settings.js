// Settings: the clinic's policy values (auto-lock, charting timings, alert thresholds, automatic
// backups) and the report header (name, address, phone, logo).

import { charCount } from '../lib/char-count.js';
import { field, h } from '../lib/dom.js';
import { checkTyped, numberOrNull } from '../lib/form.js';
import { load } from '../lib/lifecycle.js';
import { notices, save } from '../lib/save.js';
import { getSettings, setClinicLogo, updateSettings } from '../shell/api.js';
import { recheckBackupWarning } from '../shell/backup-warning.js';
import { setAutoLockMinutes } from '../shell/state.js';

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
  ['Backups', [
    ['backup_every_hours', 'Automatic backup every (hours)', 1, 24],
    ['backup_keep_daily', 'Daily backups kept', 1, 90],
    ['backup_keep_weekly', 'Weekly backups kept', 0, 104],
    ['backup_warn_after_hours', 'Warn when the last backup is older than (hours)', 1, 720],
  ]],
];

// [setting, label] of the report header; sent as typed (empty clears it). Each is counted against
// the core's limit of the same name.
const HEADER = [
  ['clinic_name', 'Clinic name'],
  ['clinic_address', 'Clinic address'],
  ['clinic_phone', 'Clinic phone'],
];

export function settingsSection() {
  const body = h('div');
  load(body, getSettings).then((settings) => settings && body.replaceChildren(settingsForm(settings)));
  return h('section', { class: 'panel', 'aria-labelledby': 'settings-heading' },
    h('h2', { id: 'settings-heading' }, 'Settings'),
    body);
}

/**
 * The core nests the thresholds under `alerts`, the backup policy under `backup` and the header under
 * `clinic`, but takes them back flat (the backup ones prefixed).
 */
const flatten = (settings) => ({
  ...settings,
  ...settings.alerts,
  ...Object.fromEntries(Object.entries(settings.backup).map(([key, value]) => [`backup_${key}`, value])),
  clinic_name: settings.clinic.name,
  clinic_address: settings.clinic.address,
  clinic_phone: settings.clinic.phone,
});

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
  const texts = {};
  const counts = [];
  groups.push(h('div', { class: 'settings-group', role: 'group', 'aria-labelledby': 'settings-group-header' },
    h('h3', { id: 'settings-group-header' }, 'Report header'),
    h('div', { class: 'fields' }, HEADER.map(([key, label]) => {
      texts[key] = h('input', { id: `setting-${key.replaceAll('_', '-')}`, type: 'text' });
      const count = charCount(texts[key], key);
      counts.push(count);
      return field(label, texts[key], count.node);
    }))));
  const fill = (values) => {
    const flat = flatten(values);
    for (const [key, input] of Object.entries({ ...inputs, ...texts })) input.value = flat[key];
    for (const count of counts) count.update();
  };
  fill(settings);

  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save settings');
  const notes = notices();
  const form = h('form', { novalidate: true, 'aria-labelledby': 'settings-heading' },
    groups,
    h('div', { class: 'form-actions' }, submit, notes.node),
    logoField(settings.clinic.logo_bytes));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    // Every field goes, as typed: an emptied one is null, which the core leaves unchanged.
    const typed = Object.fromEntries([
      ...Object.entries(inputs).map(([key, input]) => [key, numberOrNull(input)]),
      ...Object.entries(texts).map(([key, input]) => [key, input.value]),
    ]);
    const saved = await save(submit, notes, () => updateSettings(typed));
    if (!saved) return;
    fill(saved);
    const n = saved.auto_lock_minutes;
    // This screen's own timer follows the new setting at once, as the core's does.
    setAutoLockMinutes(n);
    recheckBackupWarning(); // the warning's age limit may have changed
    notes.saved(`Settings saved: screens lock after ${n} ${n === 1 ? 'minute' : 'minutes'} without activity.`);
  });
  return form;
}

/** The report logo: a PNG chosen from disk, sent as hex; the core checks it is a usable PNG. */
function logoField(bytes) {
  const file = h('input', { id: 'clinic-logo', type: 'file', accept: 'image/png' });
  const upload = h('button', { type: 'button', class: 'secondary' }, 'Save logo');
  const remove = h('button', { type: 'button', class: 'secondary' }, 'Remove logo');
  const state = h('p', { class: 'meta' });
  const notes = notices();
  const show = (n) => {
    state.textContent = n ? `A logo is set (${Math.ceil(n / 1024)} KB); it prints at the top right of every report page.` : 'No logo is set.';
    remove.hidden = !n;
  };
  show(bytes);
  const send = async (button, hex) => {
    const saved = await save(button, notes, () => setClinicLogo(hex));
    if (!saved) return;
    show(saved.clinic.logo_bytes);
    notes.saved(hex ? 'Logo saved.' : 'Logo removed.');
    file.value = '';
  };
  upload.addEventListener('click', async () => {
    const chosen = file.files[0];
    if (!chosen) {
      notes.error('Choose a PNG file first.');
      return;
    }
    const bytes = new Uint8Array(await chosen.arrayBuffer());
    send(upload, Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(''));
  });
  remove.addEventListener('click', () => send(remove, ''));
  return h('div', { class: 'settings-group', role: 'group', 'aria-labelledby': 'logo-heading' },
    h('h3', { id: 'logo-heading' }, 'Report logo'),
    state,
    h('div', { class: 'fields' }, field('Logo (PNG, at most 256 KB)', file)),
    h('div', { class: 'form-actions' }, upload, remove, notes.node));
}
