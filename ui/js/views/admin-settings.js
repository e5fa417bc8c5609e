// Settings: the clinic's policy values. For now, how long an unattended screen stays open.

import { getSettings, updateSettings } from '../api.js';
import { field, h } from '../dom.js';
import { setAutoLockMinutes } from '../session-state.js';
import { checkTyped, load, notices, numberOrNull, save } from './common.js';

export function settingsSection() {
  const body = h('div');
  load(body, getSettings).then((settings) => settings && body.replaceChildren(settingsForm(settings)));
  return h('section', { class: 'panel', 'aria-labelledby': 'settings-heading' },
    h('h2', { id: 'settings-heading' }, 'Settings'),
    body);
}

function settingsForm(settings) {
  const minutes = h('input', {
    id: 'auto-lock-minutes', type: 'number', min: '1', max: '30', step: '1', inputmode: 'numeric',
    value: settings.auto_lock_minutes,
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save settings');
  const notes = notices();
  const form = h('form', { novalidate: true, 'aria-labelledby': 'settings-heading' },
    h('div', { class: 'fields' }, field('Auto-lock after (minutes)', minutes, '1 to 30')),
    h('div', { class: 'form-actions' }, submit, notes.node));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!checkTyped(form, notes)) return;
    const saved = await save(submit, notes, () => updateSettings({ auto_lock_minutes: numberOrNull(minutes) }));
    if (!saved) return;
    const n = saved.auto_lock_minutes;
    minutes.value = n;
    // This screen's own timer follows the new setting at once, as the core's does.
    setAutoLockMinutes(n);
    notes.saved(`Settings saved: screens lock after ${n} ${n === 1 ? 'minute' : 'minutes'} without activity.`);
  });
  return form;
}
