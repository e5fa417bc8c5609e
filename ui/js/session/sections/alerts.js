// Alerts the core raised from the vitals (BP, HR, SpO2 rules): open ones stand out at the top of
// the session until a nurse or physician acknowledges them; acknowledged ones say who and when.

import { h } from '../../lib/dom.js';
import { timeOnDay } from '../../lib/format.js';
import { notices, save } from '../../lib/save.js';
import { acknowledgeAlert } from '../../shell/api.js';

/** The alerts panel, or null when the session has none. `onChanged(record)` redraws the session. */
export function alertsSection(record, onChanged) {
  const { session, alerts } = record;
  if (alerts.length === 0) return null;
  const open = alerts.filter((a) => !a.acknowledged_at);
  const notes = notices();
  const item = (alert) => {
    if (alert.acknowledged_at) {
      return h('li', { class: 'alert-done' }, alert.message,
        h('span', { class: 'meta' }, ` · acknowledged by ${alert.acknowledged_by} at ${timeOnDay(session.session_date, alert.acknowledged_at)}`));
    }
    const button = h('button', { type: 'button', class: 'secondary small' }, 'Acknowledge');
    button.addEventListener('click', async () => {
      const next = await save(button, notes, () => acknowledgeAlert(alert.id));
      if (next) onChanged(next);
    });
    return h('li', { class: 'alert-open' }, h('strong', {}, alert.message), ' ', session.status === 'open' && button);
  };
  return h('section', { class: `panel alerts${open.length ? ' has-open' : ''}`, 'aria-labelledby': 'alerts-heading', 'aria-live': 'polite' },
    h('h2', { id: 'alerts-heading' }, open.length ? `Alerts: ${open.length} to acknowledge` : 'Alerts'),
    h('ul', { class: 'alert-list' }, alerts.map(item)),
    notes.node);
}
